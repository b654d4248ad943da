# CoachHub: `make run` starts everything with demo data; `make test` runs the test suite.
# Both need nothing but Python 3.11: without PostgreSQL / Redis on 127.0.0.1 (or with EMBEDDED=1)
# they start project-local ones under var/ (devservers/); explicit DATABASE_URL / REDIS_URL win.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The web server's port as every process sees it (links in the emails the worker builds, the demo's
# logins): honcho gives each process of `make run` its own PORT (web $(PORT), worker +100, beat +200).
export WEB_PORT := $(PORT)
STAMP := $(VENV)/.installed
# Runs a command with the chosen servers' URLs, and stops embedded servers after it.
SERVERS := $(BIN)/python -m devservers $(MAKE) --no-print-directory
export EMBEDDED
# Development and tests run with DEBUG on (development keys stand in for the secrets); the
# settings' own default is off, so a deployment that forgets it is never in debug mode.
DEBUG ?= true
export DEBUG

.PHONY: install run test db bench lint check clean serve migrated suite

install: $(STAMP)

# Reinstalls only when the project's dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,test]'
	touch $(STAMP)

# Roles and database (when missing), then migrations as the owner.
db: install
	@$(SERVERS) migrated

run: install
	@$(SERVERS) serve

test: install
	@$(SERVERS) suite

# Its own database (coachhub_bench, same roles; created and migrated by bench) and Redis db 12.
# SCALE=N: the pages bench first adds N scaled practices (seed_scale) around the demo's.
bench: install
	@$(BIN)/python -m devservers $(BIN)/python -m bench $(if $(BENCH),--only $(BENCH),) $(if $(SCALE),--scale $(SCALE),)

# The steps above, run inside devservers (which sets DATABASE_URL, REDIS_URL, …).
migrated:
	$(BIN)/python manage.py setup_database
	$(BIN)/python manage.py migrate --noinput

serve: migrated
	$(BIN)/python manage.py seed_demo
	@$(BIN)/python manage.py demo_logins
	mkdir -p var/mail
	PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

# The tests run on every core (pytest-xdist, a file per worker at a time); TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= auto
suite:
	$(BIN)/python manage.py setup_database
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Imports go one way down the layers (pyproject.toml's [tool.importlinter]).
lint: install
	$(BIN)/lint-imports

check: lint
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
