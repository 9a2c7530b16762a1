# svcgen developer tasks. Needs only Python 3.11 (python3) on the machine.
PYTHON ?= python3
VENV := .venv
BENTO_VENV := .venv-bento
KSERVE_VENV := .venv-kserve
PY := $(VENV)/bin/python

.PHONY: demo test goldens capture clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(BENTO_VENV)/.installed: examples/requirements-bento.txt
	$(PYTHON) -m venv $(BENTO_VENV)
	$(BENTO_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENTO_VENV)/bin/python -m pip install -q -r examples/requirements-bento.txt
	touch $@

$(KSERVE_VENV)/.installed: examples/requirements-kserve.txt
	$(PYTHON) -m venv $(KSERVE_VENV)
	$(KSERVE_VENV)/bin/python -m pip install -q --upgrade pip
	$(KSERVE_VENV)/bin/python -m pip install -q -r examples/requirements-kserve.txt
	touch $@

## demo: serve the calculator example, generate its client, install it into a fresh venv and call it
demo: $(VENV)/.installed $(BENTO_VENV)/.installed
	$(PY) examples/demo.py

## test: the whole test suite (unit, golden, type checks, end to end against real services)
test: $(VENV)/.installed $(BENTO_VENV)/.installed $(KSERVE_VENV)/.installed
	$(PY) -m pytest -q

## goldens: regenerate fixtures/golden/ from fixtures/specs/ (review the diff)
goldens: $(VENV)/.installed
	$(PY) fixtures/regenerate.py

## capture: re-capture fixtures/specs/ from the example services
capture: $(VENV)/.installed $(BENTO_VENV)/.installed
	$(PY) fixtures/capture.py

clean:
	rm -rf $(VENV) $(BENTO_VENV) $(KSERVE_VENV) .cache .pytest_cache
