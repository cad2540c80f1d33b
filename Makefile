# Two commands do everything on a fresh machine (Python >= 3.11 and make):
#   make demo   -- create .venv, install beian_audit, run the monthly spot check on the bundled registry
#   make test   -- create .venv with the test tools, run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint docs bench clean venv system-deps

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[all]" --group test --group lint --group docs
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/beian-audit demo --out reports

# fonts-noto-cjk, chromium, postgresql-15 (idempotent; root or sudo; see the script)
system-deps:
	scripts/install_system_deps.sh

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider --ignore=tests/test_scale_dask.py
	$(BIN)/python -m pytest -p no:cacheprovider tests/test_scale_dask.py
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

docs: $(STAMP)
	$(BIN)/sphinx-build -W -b html docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) reports docs/_build .pytest_cache
