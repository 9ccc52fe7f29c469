# Two commands matter: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench schema migrations clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## Serve the API on the embedded default (SQLite under var/, in-process Redis), demo data seeded.
run: $(STAMP)
	$(BIN)/loyalty serve

## The whole suite; DATABASE_URL / REDIS_URL pick the backends (default: embedded).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Load benchmark on the local PostgreSQL and Redis; writes bench/RESULTS.md (see bench/README.md).
bench: $(STAMP)
	$(BIN)/python -m bench.run

## Regenerate schema.graphql from the code.
schema: $(STAMP)
	$(BIN)/strawberry export-schema api.schema:schema --output schema.graphql

## Write a migration for model changes.
migrations: $(STAMP)
	$(BIN)/tortoise -c api.database.TORTOISE_ORM makemigrations

clean:
	rm -rf $(VENV) var
