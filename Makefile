# ShareLedger. `make run` serves the demo; `make test` runs every test.
# Both create the virtualenv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format browser redis bench clean

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
	@echo "Serving ShareLedger on http://$(HOST):$(PORT)/ with a job worker (Ctrl-C stops both)"
	@echo "The worker polls the database unless REDIS_URL names a Redis (then RQ wakes it)."
	$(FLASK) jobs work & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The job tests run an RQ worker against a real Redis on 127.0.0.1:6379 (TEST_REDIS_URL).
redis:
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { \
		command -v redis-server >/dev/null 2>&1 || { \
			echo "installing Debian redis-server for the job tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }; \
		echo "starting Redis on 127.0.0.1:6379"; \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
		for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done; }

test: $(VENV)/.dev browser redis
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
	$(BIN)/python -m bench.jobs $(BENCH_FLAGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
