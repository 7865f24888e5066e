# minivalkey: set-up, run, test. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 6380

.PHONY: run test lint install clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-lint: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[lint]'
	touch $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/minivalkey-server --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(VENV)/.installed-lint
	$(BIN)/ruff check minivalkey tests benchmarks
	$(BIN)/mypy minivalkey

# Throughput next to redis-server and a null Python server (needs redis-benchmark on PATH);
# BENCH_ARGS=--quick for a short run.
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench.py --write $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
