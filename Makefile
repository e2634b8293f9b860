# ShareLedger. `make run` serves the demo; `make test` runs every test.
# Both create the virtualenv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format browser bench schemathesis clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python requirements.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

GUNICORN := $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

# With SMTP_URL set (smtp://host:port), the notifications sender runs in the background beside
# the web server and stops with it; without it, notifications are only in the app.
run: $(VENV)/.runtime
	$(FLASK) db upgrade
	PUBLIC_URL=http://$(HOST):$(PORT) $(FLASK) demo
	@echo "Serving ShareLedger on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	@if [ -n "$$SMTP_URL" ]; then \
		echo "Delivering e-mail notifications through $$SMTP_URL"; \
		PUBLIC_URL=http://$(HOST):$(PORT) $(FLASK) notifications send --loop & sender=$$!; \
		trap 'kill $$sender 2>/dev/null' EXIT; \
		$(GUNICORN); \
	else \
		echo "SMTP_URL is not set: notifications are shown in the app only"; \
		$(GUNICORN); \
	fi

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(VENV)/.dev browser
	$(BIN)/python -m pytest

# Schemathesis against the served demo, with a secretary's and a regulator's token (< 10 min).
schemathesis: $(VENV)/.dev
	.ci/schemathesis

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
	$(BIN)/python -m bench.bad_input $(BENCH_FLAGS)
	$(BIN)/python -m bench.disclosures $(BENCH_FLAGS)
	$(BIN)/python -m bench.disclosure_pages $(BENCH_FLAGS)
	$(BIN)/python -m bench.notifications $(BENCH_FLAGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
