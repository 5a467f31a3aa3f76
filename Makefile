# fairloop's vocabulary: run, test, lint, bench.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint format bench bench-quick install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/fairloop serve

demo: $(STAMP)
	$(BIN)/fairloop demo

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)  # FAIRLOOP_BENCH_POSTGRES_URL=postgresql+asyncpg://USER@HOST:PORT/postgres adds PostgreSQL
	$(BIN)/python -m bench.run

bench-quick: $(STAMP)  # every benchmark at tiny sizes, answers checked, no timings asserted, nothing written
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
