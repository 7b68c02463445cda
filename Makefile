# The two commands of the README: `make demo` and `make test`. Everything else is what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.8
BOOTSTRAP := var/bootstrap
UV := $(BOOTSTRAP)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help demo test test-sqlite test-postgres lint audit system-deps messages openapi clean bench

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(BOOTSTRAP)
	$(BOOTSTRAP)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

system-deps:  ## Install the Debian packages the project needs (gettext, PostgreSQL 15, Chromium)
	@scripts/system-deps.sh

messages: $(VENV)/.synced system-deps  ## Compile the French and English interface translations
	cd src/learningcity && ../../$(BIN)/python -m django compilemessages --settings=learningcity.settings -v 0

demo: $(VENV)/.synced messages node_modules/.installed  ## Build the demo city once and serve it on http://127.0.0.1:$(PORT)/
	$(BIN)/learningcity demo --port $(PORT)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

lint: $(VENV)/.synced  ## ruff, ruff format and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

audit: $(VENV)/.synced  ## Audit the locked Python dependencies for known vulnerabilities (pip-audit)
	UV=$(UV) scripts/audit-dependencies.sh

openapi: $(VENV)/.synced  ## Regenerate docs/openapi.json from the code
	$(BIN)/learningcity openapi --output docs/openapi.json

test-sqlite: $(VENV)/.synced messages node_modules/.installed
	env -u DATABASE_URL $(BIN)/python -m pytest -q -p no:cacheprovider

test-postgres: $(VENV)/.synced messages node_modules/.installed
	scripts/with-postgres.sh $(BIN)/python -m pytest -q -p no:cacheprovider

test: lint audit test-sqlite test-postgres  ## Lint, type-check, then the whole suite on SQLite and on PostgreSQL
	@echo "All checks passed on SQLite and PostgreSQL."

bench: $(VENV)/.synced  ## Run the benchmarks (slow; prints project vs baseline)
	$(BIN)/python bench/demo_generation.py

clean:  ## Remove the environment and local data
	rm -rf $(VENV) var node_modules
