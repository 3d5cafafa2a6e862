# Everyday commands. Each target works from a fresh clone with Python 3.11+.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: dev demo run test test-pg test-all lint format typecheck bench translations ci

$(BIN)/legalaid: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

dev: $(BIN)/legalaid  ## install the app and its test tools (editable)

demo: dev  ## fresh SQLite database with synthetic demo data, then serve it
	$(BIN)/legalaid demo && $(BIN)/legalaid run

run: dev
	$(BIN)/legalaid run

test: dev  ## the whole suite on SQLite
	$(BIN)/pytest

test-pg: dev  ## the whole suite on PostgreSQL ($(PG_URL))
	LEGALAID_TEST_DATABASE_URL='$(PG_URL)' $(BIN)/pytest

test-all: ci

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: dev
	$(BIN)/mypy

bench: dev  ## benchmarks print figures and ratios; they are not tests
	$(BIN)/python benchmarks/cases.py
	@echo 'release benchmark: $(BIN)/python benchmarks/releases.py --database-url URL --instance DIR (see README)'

translations: dev  ## re-extract marked strings, update and compile the catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output -o legalaid/translations/messages.pot .
	$(BIN)/pybabel update -i legalaid/translations/messages.pot -d legalaid/translations --ignore-obsolete
	$(BIN)/pybabel compile -d legalaid/translations

ci:  ## what CI runs: install, lint, types, both databases, packaging checks
	.ci/run
