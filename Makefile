# Two commands set up everything on a fresh clone with only python3: `make serve`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# What the browser tests need from the system: Debian's chromium, and a CJK font for the page.
SYSTEM_PACKAGES := chromium fonts-noto-cjk

.PHONY: install system wrk test lint serve bench bench-service train check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto sans cjk"; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing $(SYSTEM_PACKAGES) for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	else \
		echo "the browser tests need: sudo apt-get install $(SYSTEM_PACKAGES)" >&2; exit 1; \
	fi

test: $(STAMP) system
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check classifier service tests benchmarks

check: $(STAMP)
	$(BIN)/tagger data check

serve: $(STAMP)
	$(BIN)/tagger serve --host 127.0.0.1 --port 8000

train: $(STAMP)
	$(BIN)/tagger train

bench: $(STAMP) wrk
	$(BIN)/python benchmarks/bench_model.py

# The HTTP bench's load generator: Debian's wrk, installed as `system` installs chromium.
wrk:
	@if command -v wrk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing wrk for the HTTP bench"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else \
		echo "the HTTP bench needs: sudo apt-get install wrk" >&2; exit 1; \
	fi

bench-service: $(STAMP) wrk
	$(BIN)/python benchmarks/bench_service.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
