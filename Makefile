# Two entry points do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_DIR := tests/node
CHROMIUM := /usr/bin/chromium
PORT ?= 9400

.PHONY: run test bench lint node-deps chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/cloudinary-emulator serve --host 127.0.0.1 --port $(PORT)

# The Node smoke test drives the official npm `cloudinary` package, pinned in tests/node/package.json.
$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package.json
	cd $(NODE_DIR) && npm install --no-audit --no-fund --silent
	touch $@

node-deps: $(NODE_DIR)/node_modules/.installed

# The browser tests drive Debian's Chromium through Playwright (never `playwright install`: no downloads).
# Installed only when missing; CI runs as root.
chromium:
	@test -x $(CHROMIUM) || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

test: $(STAMP) node-deps chromium
	$(VENV)/bin/ruff check emulator contracts tests bench
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/run.py
	$(PY) bench/library.py
	$(PY) bench/testing.py
	$(PY) bench/memory.py

clean:
	rm -rf $(VENV) $(NODE_DIR)/node_modules .pytest_cache .mypy_cache .ruff_cache
