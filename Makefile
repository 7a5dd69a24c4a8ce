# Insatsportalen: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export FLASK_APP := portal

.PHONY: setup run test catalogues database chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP) catalogues

catalogues: $(STAMP)
	$(BIN)/flask translate compile >/dev/null

database: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask portal demo
	$(BIN)/flask search rebuild

## Set up, load the demo region and serve it on http://127.0.0.1:5000 with a queue consumer beside it
run: database
	export PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://127.0.0.1:$${PORT:-5000}}; \
	$(BIN)/flask queue worker & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $${PORT:-5000}

## Debian's Chromium for the browser tests (needs root and apt; skipped when present)
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## Set up and run the whole test suite (SQLite, PostgreSQL and the browser)
test: setup chromium
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)
