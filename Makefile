# ShareLedger. `make run` serves the demo; `make test` runs every test.
# Both create the virtualenv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python requirements.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(FLASK) db upgrade
	PUBLIC_URL=http://$(HOST):$(PORT) $(FLASK) demo
	@echo "Serving ShareLedger on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(VENV)/.dev browser
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks print figures (PostgreSQL at 127.0.0.1:5432); BENCH_FLAGS=--quick for a short run.
bench: $(VENV)/.dev
	$(BIN)/python -m bench.log_append $(BENCH_FLAGS)
	$(BIN)/python -m bench.register_commands $(BENCH_FLAGS)
	$(BIN)/python -m bench.snapshot $(BENCH_FLAGS)
	$(BIN)/python -m bench.http_writes $(BENCH_FLAGS)
	$(BIN)/python -m bench.transfer_workflow $(BENCH_FLAGS)
	$(BIN)/python -m bench.log_verify $(BENCH_FLAGS)
	$(BIN)/python -m bench.notices $(BENCH_FLAGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
