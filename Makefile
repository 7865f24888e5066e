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

$(VENV)/.installed-bench: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/minivalkey-server --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(VENV)/.installed-lint
	$(BIN)/ruff check minivalkey tests benchmarks
	$(BIN)/mypy minivalkey

# Every benchmark next to redis-server (and valkey-server when one is on PATH or named
# by MINIVALKEY_BENCH_VALKEY; MINIVALKEY_BENCH_REDIS names another redis-server),
# written to benchmarks/RESULTS*.md and benchmarks/results/*.json, then the charts benchmarks/ratios.png and scaling.png.
# Needs redis-benchmark and redis-server on PATH. About 10 minutes; BENCH_ARGS=--quick
# (given to every script, so only options they all take) for a run of about 5.
bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/bench.py --write $(BENCH_ARGS)
	$(BIN)/python benchmarks/group_workloads.py --write $(BENCH_ARGS)
	$(BIN)/python benchmarks/pubsub_fanout.py --write $(BENCH_ARGS)
	$(BIN)/python benchmarks/blocking_latency.py --write $(BENCH_ARGS)
	$(BIN)/python benchmarks/stream_costs.py --write $(BENCH_ARGS)
	$(BIN)/python benchmarks/stream_memory.py --write $(BENCH_ARGS)
	$(BIN)/python benchmarks/type_memory.py --write $(BENCH_ARGS)
	$(BIN)/python benchmarks/chart.py

clean:
	rm -rf $(VENV) build *.egg-info
