# Two commands set up everything on a fresh clone with only python3: `make serve`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install test lint serve bench bench-service train check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check classifier service tests benchmarks

check: $(STAMP)
	$(BIN)/tagger data check

serve: $(STAMP)
	$(BIN)/tagger serve --host 127.0.0.1 --port 8000

train: $(STAMP)
	$(BIN)/tagger train

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py

bench-service: $(STAMP)
	$(BIN)/python benchmarks/bench_service.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
