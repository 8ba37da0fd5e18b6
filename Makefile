# creditflow — `make run` sets up and serves; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint assets clean bench screenshots

install: $(VENV)/.installed node_modules/.installed web/ui/static/dist/.built

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

web/ui/static/dist/.built: node_modules/.installed $(wildcard ui-src/*)
	node ui-src/build.mjs
	touch $@

assets: node_modules/.installed
	node ui-src/build.mjs
	touch web/ui/static/dist/.built

run: install
	$(VENV)/bin/creditflow init
	$(VENV)/bin/creditflow demo
	$(VENV)/bin/creditflow serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check engine credit forms notifications web bpmn tests
	$(VENV)/bin/lint-imports

test: install lint
	$(VENV)/bin/pytest -q -p no:cacheprovider tests --ignore=tests/bench

screenshots: install
	CREDITFLOW_SCREENSHOTS=1 $(VENV)/bin/pytest -q -p no:cacheprovider tests/e2e

bench: install
	$(VENV)/bin/creditflow bench lifecycle

clean:
	rm -rf $(VENV) node_modules web/ui/static/dist instance
