# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config.toml

.PHONY: run test lint bench docs postgres check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "KaderBot needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps record which dependency set is installed, so a second `make` does not reinstall.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	@$(BIN)/kaderbot run --config $(CONFIG)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The storage and conversation tests also run against a real PostgreSQL server that the tests
# start in a temporary folder; this installs Debian's package where it is missing.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing PostgreSQL (Debian package) for the tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else \
	    echo "the tests need PostgreSQL: sudo apt-get install postgresql" >&2; exit 1; \
	  fi; }

test: lint postgres
	$(BIN)/pytest -q

# Speed targets live here, not in the tests: writes docs/benchmarks.md.
bench: $(VENV)/.dev-installed postgres
	$(BIN)/python -m bench.run

# The forms reference is written from the form specs (a test checks it is current).
docs: $(VENV)/.dev-installed
	$(BIN)/python -m handlers.forms_reference > docs/forms.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
