# ShareLedger. `make run` serves the demo; `make test` runs every test.
# Both create the virtualenv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format browser redis bench schemathesis clean

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
	@echo "Serving ShareLedger on http://$(HOST):$(PORT)/ with a job worker (Ctrl-C stops them)"
	@echo "The worker polls the database unless REDIS_URL names a Redis (then RQ wakes it)."
	@if [ -n "$$SMTP_URL" ]; then \
		echo "Delivering e-mail notifications through $$SMTP_URL"; \
	else \
		echo "SMTP_URL is not set: notifications are shown in the app only"; \
	fi
	$(FLASK) jobs work & worker=$$!; \
	if [ -n "$$SMTP_URL" ]; then \
		PUBLIC_URL=http://$(HOST):$(PORT) $(FLASK) notifications send --loop & sender=$$!; \
	fi; \
	trap 'kill $$worker $$sender 2>/dev/null' EXIT INT TERM; \
	$(GUNICORN)

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
	$(BIN)/python -m bench.jobs $(BENCH_FLAGS)
	$(BIN)/python -m bench.members_page $(BENCH_FLAGS)
	$(BIN)/python -m bench.notices $(BENCH_FLAGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
