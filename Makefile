# The two commands a newcomer types (README): `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check install up down migrate bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Embedded mode: all five services on http://127.0.0.1:$(GONGKAI_PORT) (default 8000; docs at /docs), SQLite under ./var,
## with the demo data set on first start (seed-demo adds nothing once applications exist)
GONGKAI_PORT ?= 8000
run: $(STAMP)
	$(BIN)/gongkai seed-demo
	$(BIN)/gongkai serve --host 127.0.0.1 --port $(GONGKAI_PORT)

## The whole suite (needs PostgreSQL and RabbitMQ on 127.0.0.1, see README)
test: $(STAMP)
	$(BIN)/python -m pytest -x -q

## The contract CI checks before the tests (DESIGN §1): formatting, lint, types of shared/ and every
## domain/ (the files are listed in pyproject's [tool.mypy]), and the import layers (lint-imports)
check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Local distributed mode (docs/distributed.md): each service its own process on PostgreSQL + RabbitMQ,
## 8001-8005 (GONGKAI_UP_BASE_PORT), behind the gateway on GONGKAI_PORT (8000); started in the background,
## logs in var/log/, stopped by `make down`. In the foreground: `.venv/bin/python -m services.supervisor up --foreground`
up: $(STAMP)
	GONGKAI_PORT=$(GONGKAI_PORT) $(BIN)/python -m services.supervisor up

down:
	@test ! -x $(BIN)/python || $(BIN)/python -m services.supervisor down

migrate: $(STAMP)
	$(BIN)/gongkai migrate

bench: $(STAMP)
	$(BIN)/python bench/bus.py

clean:
	rm -rf var .pytest_cache .hypothesis
