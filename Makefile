# Two commands: `make run` sets up and serves the app; `make test` sets up and runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
OIDC_TEST_PROVIDER := tests/sso/provider
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test install install-test-provider lint migrate seed bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# The OpenID Provider the SSO tests start (node): installed exactly as package-lock.json says.
$(OIDC_TEST_PROVIDER)/node_modules/.installed: $(OIDC_TEST_PROVIDER)/package.json $(OIDC_TEST_PROVIDER)/package-lock.json
	npm ci --prefix $(OIDC_TEST_PROVIDER) --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed

install-test-provider: $(OIDC_TEST_PROVIDER)/node_modules/.installed

migrate: install
	@mkdir -p instance
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) demo seed

run: seed
	@echo "Serving SECURe Tracker on http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	$(VENV)/bin/python -m tracker.serve --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .

test: install install-test-provider lint
	@echo "== Test suite on SQLite =="
	env -u TEST_DATABASE_URL $(PY) -m pytest -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== Test suite on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(PY) -m pytest -p no:cacheprovider; \
	else echo "TEST_DATABASE_URL is not set: skipping the PostgreSQL run"; fi

bench: install
	$(PY) bench/compliance.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(OIDC_TEST_PROVIDER)/node_modules
