# The two commands: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev migrate seed lint check-deploy screenshots clean

run: install migrate seed
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "Serving the session planner at http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Tests marked postgresql run only when DATABASE_URL points at PostgreSQL (CI's second pass).
test: install-dev
	$(BIN)/python -m pytest $(if $(findstring postgres,$(DATABASE_URL)),,-m "not postgresql")

install: $(VENV)/.installed node_modules/.installed

# The test command also installs the test and development tools (requirements-dev.txt).
install-dev: install $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm), then run this again."; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: install
	$(BIN)/python manage.py seed_demo

lint: install-dev
	$(BIN)/python -m ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

check-deploy: install
	DEBUG=false HTTPS=true SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
		ALLOWED_HOSTS=clinic.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules staticfiles artifacts

# Regenerate docs/screenshots/ from the demo clinic on a scratch database.
screenshots: install-dev
	rm -f artifacts/screenshots.db && mkdir -p artifacts
	DATABASE_URL=sqlite:///artifacts/screenshots.db $(BIN)/python manage.py migrate --noinput -v 0
	DATABASE_URL=sqlite:///artifacts/screenshots.db $(BIN)/python manage.py seed_demo > /dev/null
	DATABASE_URL=sqlite:///artifacts/screenshots.db $(BIN)/python manage.py runserver 127.0.0.1:8765 --noreload > artifacts/screenshots-server.log 2>&1 & \
		server=$$!; sleep 3; \
		$(BIN)/python docs/screenshots.py; status=$$?; kill $$server; exit $$status
