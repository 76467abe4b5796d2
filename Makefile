# `make run`: set up, generate synthetic demo data, build the index, start the
# dashboard on http://localhost:8501. `make test`: lint and the whole test suite
# (axe-core for the accessibility test comes from npm, pinned in tests/a11y).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEMO := data/demo
DEMO_PEOPLE ?= 3000
DEMO_SEED ?= 2026
DEMO_AS_OF ?= $(shell date +%F)
PORT ?= 8501
# pytest worker processes (pytest-xdist); CI has two cores.
TEST_WORKERS ?= 2
A11Y := tests/a11y

.PHONY: run api test lint demo venv clean a11y

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEMO)/config.toml: | venv
	$(PY) -m sources generate --people $(DEMO_PEOPLE) --seed $(DEMO_SEED) \
		--as-of $(DEMO_AS_OF) --out $(DEMO)

$(DEMO)/.built: $(DEMO)/config.toml
	$(PY) -m linkage build --config $(DEMO)/config.toml
	touch $@

demo: venv $(DEMO)/.built

run: demo
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false \
		-- --config $(DEMO)/config.toml

# The read API beside the dashboard: make api [CONFIG=path/to/config.toml]
CONFIG ?= $(DEMO)/config.toml
api: venv
	$(PY) -m api --config $(CONFIG)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# axe-core only (npm ci installs exactly the lock file; no browser is downloaded)
$(A11Y)/node_modules/.installed: $(A11Y)/package-lock.json
	npm ci --prefix $(A11Y) --no-audit --no-fund --loglevel=error
	touch $@

a11y: $(A11Y)/node_modules/.installed

test: lint a11y
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

clean:
	rm -rf $(DEMO)
