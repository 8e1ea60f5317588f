# Set-up and checks. Needs only Python 3.11 and make on the machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit clean catalogs bench

# One venv for the demo and the checks: the demo and the diagram tests draw SVG/PNG, so it has the
# diagrammen extra (pygraphviz) besides the test extra.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,diagrammen]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python demo/year_2024.py

lint: $(STAMP)
	$(BIN)/ruff check routing flows store tests demo bench
	$(BIN)/ruff format --check routing flows store tests demo bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest --cov=routing --cov=flows --cov=store --cov-branch --cov-report=term:skip-covered

test: lint typecheck unit

# the speed and scale figures (docs/performance.md): every bench/*.py, each against its floor
# measured in the same run; not part of `test`. BENCH_ARGS="--tiny" for a smoke run.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# after editing routing/i18n/locale/*/LC_MESSAGES/routing.po: compile the .mo files (a test
# fails while a .mo differs from its .po)
catalogs: $(STAMP)
	$(BIN)/pybabel compile --domain routing --directory routing/i18n/locale --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info bench/.cache
