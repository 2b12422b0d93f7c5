# Two commands matter: `make run` and `make test`.  Everything else serves them.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
API_PORT ?= 9292
REGISTRY_PORT ?= 9191
DATA_DIR ?= var
DATA := $(abspath $(DATA_DIR))
CLIENTS_DIR := .venv-clients
CLIENT_VENVS := $(CLIENTS_DIR)/v1/.installed $(CLIENTS_DIR)/v2/.installed

.PHONY: run test clients docs bench clean

$(VENV)/.installed: setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade 'pip>=23' 'setuptools<81' wheel
	$(PY) -m pip install -q -e '.[test,docs,postgres]'
	touch $@

# Registry on REGISTRY_PORT, API on API_PORT talking to it over HTTP;
# sqlite3 + filesystem store under DATA_DIR.  Ctrl-C stops both.
run: $(VENV)/.installed
	@mkdir -p $(DATA)
	@echo "glance: registry on http://127.0.0.1:$(REGISTRY_PORT), API on http://127.0.0.1:$(API_PORT), data in $(DATA)"
	@export GLANCE_SQL_CONNECTION=$${GLANCE_SQL_CONNECTION:-sqlite:///$(DATA)/glance.sqlite} \
	        GLANCE_FILESYSTEM_STORE_DATADIR=$(DATA)/images \
	        GLANCE_AUTH_TOKENS_FILE=$${GLANCE_AUTH_TOKENS_FILE:-$(DATA)/tokens.json} \
	        GLANCE_SERVICE_TOKEN=$${GLANCE_SERVICE_TOKEN:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(32))')}; \
	trap 'kill $$registry $$api 2>/dev/null; wait' INT TERM EXIT; \
	$(VENV)/bin/glance-registry --config paste.ini --port $(REGISTRY_PORT) & registry=$$!; \
	GLANCE_REGISTRY_URL=http://127.0.0.1:$(REGISTRY_PORT) \
	$(VENV)/bin/glance-api --config paste.ini --port $(API_PORT) & api=$$!; \
	wait

test: $(VENV)/.installed $(CLIENT_VENVS)
	$(PY) -m pytest -q

# The real OpenStack clients that tests/compat drives, each set in its own
# virtualenv (glanceclient 2.17.1 and 4.x cannot share one), installed exactly
# from its pin file and rebuilt only when that file changes.  A failed install
# fails `make test` here, loudly; the tests skip only when a venv is absent.
$(CLIENTS_DIR)/%/.installed: tests/compat/requirements-%.txt
	rm -rf $(CLIENTS_DIR)/$*
	$(PYTHON) -m venv $(CLIENTS_DIR)/$*
	$(CLIENTS_DIR)/$*/bin/python -m pip install -q --no-deps -r $<
	$(CLIENTS_DIR)/$*/bin/python -m pip check
	touch $@

clients: $(CLIENT_VENVS)

docs: $(VENV)/.installed
	$(VENV)/bin/sphinx-build -W -q -b html docs docs/_build/html

# The README's layout (and the in-process one) against nginx, a stdlib floor and
# OpenStack Glance 33, in one run (docs/performance.rst); installs nginx-light,
# wrk and curl from Debian, and Glance 33 with uWSGI from PyPI, when missing.
# About 10 minutes; BENCH_ARGS=--quick for a 4-minute smoke run.
bench: $(VENV)/.installed
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf docs/_build .pytest_cache
