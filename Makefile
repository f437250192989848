# tremorlab: `make book` builds the book, `make test` runs every test.  Both bootstrap .venv.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
# The sample data sits beside the repository in development and CI; set TREMORLAB_DATA to use another copy.
TREMORLAB_DATA ?= $(if $(wildcard $(CURDIR)/../shared/data),$(abspath $(CURDIR)/../shared/data),)
export TREMORLAB_DATA
export PYDEVD_DISABLE_FILE_VALIDATION := 1
WIDGETS := _widgets/.stamp
HTML_MANAGER := @jupyter-widgets/html-manager@1.0.6
REQUIREJS := requirejs@2.3.4

.PHONY: book record test unit nbval book-check bench firmware venv clean help

help:
	@echo "make book   - build .venv, execute every chapter (quick preset, cached) and build _build/html"
	@echo "make record - re-execute the chapters in place: rewrites the committed notebooks and reference metrics"
	@echo "make test   - build .venv, run unit tests, firmware tests, nbval and the book/browser check"
	@echo "make bench  - run the benchmarks, write _build/bench.json"
	@echo "make firmware - build the pen firmware core for the host and for the Cortex-M7"

venv: $(STAMP)
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[test]'
	touch $(STAMP)

# The ipywidgets manager JavaScript, served with the book so widgets render offline.
$(WIDGETS):
	rm -rf _widgets .widgets-tmp && mkdir -p _widgets .widgets-tmp
	cd .widgets-tmp && npm pack --silent $(HTML_MANAGER) $(REQUIREJS) >/dev/null && \
	  for f in *.tgz; do mkdir -p $${f%.tgz} && tar xzf $$f -C $${f%.tgz} --strip-components=1; done
	cp .widgets-tmp/jupyter-widgets-html-manager-*/dist/*.js _widgets/
	cp .widgets-tmp/jupyter-widgets-html-manager-*/dist/*.{woff,woff2,ttf,eot,svg} _widgets/ 2>/dev/null || true
	cp .widgets-tmp/requirejs-*/require.js _widgets/
	rm -rf .widgets-tmp && touch $(WIDGETS)

# `make book` executes the chapters into _build/executed and builds the book from _build/book-source:
# the committed notebooks and their reference metrics stay as they are (`make record` rewrites them).
book: $(STAMP) $(WIDGETS)
	$(BIN)/tremorlab book execute
	$(BIN)/tremorlab book source
	$(BIN)/jupyter-book build _build/book-source --path-output . --builder html -W -n --keep-going
	@echo "book: $(CURDIR)/_build/html/index.html"

# For maintainers: re-execute the chapters in place, committing this machine's outputs and references.
record: $(STAMP)
	$(BIN)/tremorlab book record

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not book" tests

nbval: $(STAMP)
	TREMORLAB_CHECK_METRICS=1 $(BIN)/python -m pytest --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:randomly

book-check: $(STAMP) $(WIDGETS)
	$(BIN)/python -m pytest -m book tests

# TREMORLAB_CHECK_METRICS: every re-executed chapter compares its metrics.json with notebooks/metrics
# within notebooks/tolerances (tremorlab.repro); tests/test_shifted_seed.py re-runs the training
# chapters under a shifted seed on the oldest kernels (ATEN_CPU_CAPABILITY=default, oneDNN SSE4.1, numba generic).
# Two pytest-xdist workers (the machine's 2 cores); --dist loadscope keeps a notebook's cells in order on one
# worker, and conftest.py queues the longest scopes first.  TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
XDIST = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder)
test: $(STAMP) $(WIDGETS)
	TREMORLAB_CHECK_METRICS=1 $(BIN)/python -m pytest $(XDIST) --durations=25 tests --nbval notebooks/ --nbval-sanitize-with tests/nbval_sanitize.cfg

# The benchmarks run our code beside peer packages (padasip, handwriting-features): the `bench` extra.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	mkdir -p _build
	$(BIN)/python -m pytest bench --benchmark-only --benchmark-json=_build/bench.json -p no:cacheprovider
	$(BIN)/python bench/summary.py _build/bench.json

firmware:
	$(MAKE) -C firmware host arm

clean:
	rm -rf _build runs _widgets
