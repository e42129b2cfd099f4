# Two commands on a fresh machine: `make run` and `make test` (docs/architecture.md, "Stable names").
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	mkdir -p var
	$(BIN)/kentongan db upgrade
	$(BIN)/kentongan demo --if-empty
	$(BIN)/kentongan serve

test: $(VENV)/.installed-dev
	$(BIN)/pytest -q -n auto  # one worker per core; each has its own SQLite files and PostgreSQL schema

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

check: lint typecheck test

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.parse_throughput
	$(BIN)/python -m bench.nlu_accuracy
	$(BIN)/python -m bench.inbound_pipeline
	$(BIN)/python -m bench.dispatch
	$(BIN)/python -m bench.fanout
	$(BIN)/python -m bench.fire_latency
	$(BIN)/python -m bench.crash_window

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
