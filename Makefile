# Two entry points for a fresh machine: `make run` (dashboard on the demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
WAREHOUSE ?= $(or $(XXGK_WAREHOUSE),$(HOME)/.local/share/xxgk/demo-warehouse)

.PHONY: install lock run ingest test test-all test-fast lint demo bench clean

# The exact versions (and hashes) of requirements.lock, then the project itself without resolving again.
$(VENV)/.installed: pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# Re-resolve pyproject.toml (with the test and ray extras) into requirements.lock after a dependency changes.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet 'uv>=0.13,<0.14'
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra ray --no-emit-index-url --generate-hashes \
		--python-version 3.11 -o $(LOCK)

$(WAREHOUSE)/CURRENT:
	$(PY) -m pipeline demo --warehouse $(WAREHOUSE)

demo: install $(WAREHOUSE)/CURRENT

run: install $(WAREHOUSE)/CURRENT
	XXGK_WAREHOUSE=$(WAREHOUSE) $(PY) app.py

# Read your own reports into a warehouse: make ingest REPORTS=path/to/reports WAREHOUSE=~/xxgk-real
ingest: install
	$(if $(REPORTS),,$(error name the reports: make ingest REPORTS=path/to/reports WAREHOUSE=folder))
	$(PY) -m pipeline ingest $(REPORTS) --warehouse $(WAREHOUSE)

# The whole suite, as CI runs it: the fast tier plus the slow and browser tests.
test: install
	$(PY) -m pytest -m "" -n 2 --dist loadgroup

# The name issue 12 gives the whole suite.
test-all: test

# The fast tier while working: no browser, no demo-sized warehouse, nothing that waits on a clock.
# Tests last from milliseconds to seconds, so an idle worker takes queued tests from the busy one.
test-fast: install
	$(PY) -m pytest -n 2 --dist worksteal

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: install
	for script in benchmarks/*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
