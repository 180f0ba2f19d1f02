# Two entry points for a fresh machine: `make run` (dashboard on the demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WAREHOUSE ?= $(or $(XXGK_WAREHOUSE),$(HOME)/.local/share/xxgk/demo-warehouse)

.PHONY: install run test demo bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

$(WAREHOUSE)/CURRENT:
	$(PY) -m pipeline demo --warehouse $(WAREHOUSE)

demo: install $(WAREHOUSE)/CURRENT

run: install $(WAREHOUSE)/CURRENT
	XXGK_WAREHOUSE=$(WAREHOUSE) $(VENV)/bin/streamlit run app.py

test: install
	$(PY) -m pytest

bench: install
	for script in benchmarks/*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
