# CoachHub: `make run` starts everything with demo data; `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test db bench lint check clean

install: $(STAMP)

# Reinstalls only when the project's dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,test]'
	touch $(STAMP)

# Roles and database (when missing), then migrations as the owner.
db: install
	$(BIN)/python manage.py setup_database
	$(BIN)/python manage.py migrate --noinput

run: db
	$(BIN)/python manage.py seed_demo
	@$(BIN)/python manage.py demo_logins
	mkdir -p var/mail
	PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

test: install
	$(BIN)/python manage.py setup_database
	$(BIN)/pytest $(PYTEST_ARGS)

# Its own database (coachhub_bench, same roles; created and migrated by bench) and Redis db 12.
bench: install
	$(BIN)/python -m bench $(if $(BENCH),--only $(BENCH),)

# Imports go one way down the layers (pyproject.toml's [tool.importlinter]).
lint: install
	$(BIN)/lint-imports

check: lint
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
