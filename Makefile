# Everything runs inside .venv, created on first use from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench bench-quick bench-serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: ingest the sample corpus, render public/, import the sample subscribers and send the
##      newest week to the Maildir outbox var/outbox/ (a second run sends nothing new)
run: $(STAMP)
	$(BIN)/digest --config config.toml build
	$(BIN)/digest --config config.toml subscribers import samples/subscribers.csv --consent-documented
	$(BIN)/digest --config config.toml send --week newest

## test: the whole test suite: lint, types, then pytest (installs Debian's chromium and
##       spamassassin for the browser and spam-score tests when run as root; otherwise says
##       how, and those tests skip)
test: $(STAMP)
	./scripts/ensure-browser
	./scripts/ensure-spamassassin
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

## lint: ruff and mypy --strict
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## bench: the benchmark harness on 50,000 articles over 261 weeks: ingest, full, no-op and
##        incremental builds, peak memory, email render cost, send throughput; one table with
##        targets (bench/README.md); several minutes
bench: $(STAMP)
	$(BIN)/python bench/harness.py

## bench-quick: the same harness on 2,000 articles over 20 weeks, without the send benchmark
##        (the test suite runs it as a smoke test; its figures mean little)
bench-quick: $(STAMP)
	$(BIN)/python bench/harness.py --quick

## bench-serve: digest serve's requests/s and p99 latency (bench/serve_bench.py)
bench-serve: $(STAMP)
	$(BIN)/python bench/serve_bench.py

clean:
	rm -rf $(VENV) var public .pytest_cache .mypy_cache .ruff_cache
