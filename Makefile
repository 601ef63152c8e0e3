# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test venv lint format check deploy-check clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-test.txt requirements-load.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
		echo "CSP Action Plan needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)."; \
		echo "Install a newer Python, or point to one: make $(MAKECMDGOALS) PYTHON=/path/to/python3.11"; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# The task worker (e-mails) runs in the background beside the server, so `make run` stays one
# command: Ctrl+C reaches both, and the trap stops the worker whenever the server stops (or fails
# to start). Under DEBUG the e-mails go to the console backend: the worker prints them.
run: venv
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true $(PY) manage.py load_demo
	DEBUG=true $(PY) manage.py draw_published_files
	@echo ""
	@echo "CSP Action Plan: http://127.0.0.1:$(PORT)/"
	@echo "Demo logins (password demo-password-2021): admin, coordinator, police.officer, bromford.officer, council.officer, opfcc.analyst"
	@echo ""
	@echo "E-mails (console backend) are printed below by the task worker, which stops with the server."
	@echo ""
	@export DEBUG=true SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(PY) manage.py db_worker --no-reload --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The single sign-on tests run a real OpenID Connect provider under node (tests/oidc/), whose
# packages are pinned in tests/oidc/package-lock.json. Without npm those tests skip, saying why.
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json
$(OIDC_PROVIDER): tests/oidc/package.json tests/oidc/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm is not installed: the single sign-on tests will skip (apt-get install nodejs npm)."; \
	fi

# Tests run with a throwaway key: the settings refuse to start without one when DEBUG is off.
# They run in parallel (pytest-xdist), one worker per core; PYTEST_WORKERS=0 runs them in one
# process. PYTEST_ARGS goes to pytest, e.g. PYTEST_ARGS="tests/actions -x".
PYTEST_WORKERS ?= auto
test: venv $(OIDC_PROVIDER)
	SECRET_KEY=$${SECRET_KEY:-test-only-not-secret} $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# mypy imports the settings (django-stubs), which need a key when DEBUG is off.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	SECRET_KEY=$${SECRET_KEY:-type-check-only-not-secret} $(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: venv
	DEBUG=true $(PY) manage.py check
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Django's deployment checks under production settings (HTTPS on, DEBUG off, a fresh random key):
# no warning allowed.
deploy-check: venv
	DEBUG=false HTTPS=true ALLOWED_HOSTS=csp.example.gov.uk \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache tests/oidc/node_modules

# The load test (docs/benchmarks.md, "Load"): gunicorn + PostgreSQL on 127.0.0.1, 50 users for
# 60 seconds per scenario, then a check that every saved edit is in the database. A measurement,
# never part of `make test`. Needs PostgreSQL on 127.0.0.1:5432 (LOAD_PG=postgres://…@127.0.0.1:…
# to change); uses a throwaway database `csp_plan_load`. See scripts/load_run.sh for the knobs.
.PHONY: load
load: venv
	scripts/load_run.sh
