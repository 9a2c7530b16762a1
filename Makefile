# svcgen developer tasks. Needs only Python 3.11 (python3) on the machine.
PYTHON ?= python3
VENV := .venv
BENTO_VENV := .venv-bento
KSERVE_VENV := .venv-kserve
PY := $(VENV)/bin/python

.PHONY: demo test goldens sync-templates capture clean

# Each environment step prints one line; pip's output goes to .cache/logs/, shown only when the step fails.
QUIET_PIP = examples/quiet_step.sh
LOGS := .cache/logs

# svcgen alone (what `make demo` needs) ...
$(VENV)/.base: pyproject.toml
	@$(QUIET_PIP) "svcgen's environment ($(VENV))" $(LOGS)/venv.log sh -c '\
	  $(PYTHON) -m venv $(VENV) && $(PY) -m pip install --upgrade pip && $(PY) -m pip install -e .'
	@touch $@

# ... plus the whole test toolchain (what `make test` needs).
$(VENV)/.installed: $(VENV)/.base
	@$(QUIET_PIP) "the test toolchain in $(VENV)" $(LOGS)/venv-test.log $(PY) -m pip install -e '.[test]'
	@touch $@

$(BENTO_VENV)/.installed: examples/requirements-bento.txt
	@$(QUIET_PIP) "the BentoML examples' environment ($(BENTO_VENV))" $(LOGS)/venv-bento.log sh -c '\
	  $(PYTHON) -m venv $(BENTO_VENV) && $(BENTO_VENV)/bin/python -m pip install --upgrade pip && \
	  $(BENTO_VENV)/bin/python -m pip install -r examples/requirements-bento.txt'
	@touch $@

$(KSERVE_VENV)/.installed: examples/requirements-kserve.txt
	@$(QUIET_PIP) "the KServe example's environment ($(KSERVE_VENV))" $(LOGS)/venv-kserve.log sh -c '\
	  $(PYTHON) -m venv $(KSERVE_VENV) && $(KSERVE_VENV)/bin/python -m pip install --upgrade pip && \
	  $(KSERVE_VENV)/bin/python -m pip install -r examples/requirements-kserve.txt'
	@touch $@

## demo: serve the calculator example, generate its client, install it into a fresh venv and call it
## (installs svcgen and the example service's environment only, not the test toolchain)
demo: $(VENV)/.base $(BENTO_VENV)/.installed
	@$(PY) examples/demo.py

## test: the whole test suite (unit, golden, type checks, end to end against real services)
test: $(VENV)/.installed $(BENTO_VENV)/.installed $(KSERVE_VENV)/.installed
	$(PY) -m pytest -q

## goldens: regenerate fixtures/golden/ from fixtures/specs/ (review the diff)
goldens: $(VENV)/.installed
	$(PY) fixtures/regenerate.py

## sync-templates: derive the blocking runtime templates from their asyncio sources (then run make goldens)
## (standard library only: needs no environment)
sync-templates:
	$(PYTHON) fixtures/derive_sync.py

## capture: re-capture fixtures/specs/ from the example services
capture: $(VENV)/.installed $(BENTO_VENV)/.installed
	$(PY) fixtures/capture.py

clean:
	rm -rf $(VENV) $(BENTO_VENV) $(KSERVE_VENV) .cache .pytest_cache
