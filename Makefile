# OpenMASH: `make demo` to try it, `make test` to check it. Both start from a fresh clone.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 /root/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.13*/bin/python3.13; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export OPENMASH_VAR_DIR ?= $(CURDIR)/var
# The SSDA903 validator's own environment (scripts/validator-903.sh): make test requires it, so the test of the
# missing-children return runs, never skips.
export OPENMASH_VALIDATOR_903 ?= $(CURDIR)/.venv-903/bin/python

.PHONY: install demo serve test test-deps test-sqlite test-postgres lint typecheck assets clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (python3.12 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Idempotent: re-running only installs what changed.
install: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

demo: install
	OPENMASH_DEMO=true $(BIN)/openmash migrate --no-input
	$(BIN)/openmash load-reference
	OPENMASH_DEMO=true $(BIN)/openmash demo
	@# Warnings only: its year of casework would log some 1,700 deliveries below the sign-ins printed above.
	OPENMASH_DEMO=true OPENMASH_LOG_LEVEL=WARNING $(BIN)/openmash generate --scenario letter-2016
	@echo "Open http://$(HOST):$(PORT)/ and sign in with one of the accounts above. Ctrl-C stops it."
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/openmash worker & \
	$(BIN)/openmash serve --host $(HOST) --port $(PORT)

test-deps:
	PYTHON=$(PYTHON) bash scripts/test-deps.sh

# The whole suite twice: on the embedded SQLite database, then on a real PostgreSQL server started here.
test: install test-deps lint typecheck test-sqlite test-postgres

# Browser tests run on their own after the rest: they time live updates, which a loaded machine would blur.
test-sqlite:
	@echo "== Test suite on SQLite =="
	$(BIN)/python -m pytest -n 2 -q --ignore=tests/browser
	$(BIN)/python -m pytest -q tests/browser

test-postgres:
	@echo "== Test suite on PostgreSQL =="
	@url=$$(bash scripts/postgres.sh start) && trap 'bash scripts/postgres.sh stop' EXIT && \
	DATABASE_URL=$$url $(BIN)/python -m pytest -n 2 -q --ignore=tests/browser && \
	DATABASE_URL=$$url $(BIN)/python -m pytest -q tests/browser

lint:
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .
	$(BIN)/openmash makemigrations --check --dry-run

typecheck:
	$(BIN)/mypy openmash

assets:
	bash scripts/vendor-assets.sh

clean:
	rm -rf $(VENV) var
