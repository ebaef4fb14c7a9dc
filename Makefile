# Two entry points do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_DIR := tests/node
CHROMIUM := /usr/bin/chromium
PORT ?= 9400

.PHONY: run test test-fast bench bench-scale lint node-deps chromium clean

$(STAMP): pyproject.toml setup.py
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
# Installed only when missing and only when possible (root with apt-get, as in CI); otherwise the browser tests
# are skipped and pytest's summary says so, with how to enable them.
chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "make: installing Debian's chromium with apt-get for the browser tests (about 115 packages, once)"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
	  echo "make: $(CHROMIUM) is missing and cannot be installed here (needs root and apt-get):"; \
	  echo "      the browser tests will be SKIPPED; see the end of the pytest summary"; \
	fi

test: $(STAMP) node-deps chromium
	$(VENV)/bin/ruff check emulator contracts tests bench
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

# The quick subset (under a minute): everything not marked slow; `make test` runs it all, as CI does.
test-fast: $(STAMP)
	$(VENV)/bin/ruff check emulator contracts tests bench
	$(PY) -m pytest -q -m "not slow"

# bench/library.py's targets are the issue's goals at a million: a miss at 100k is printed, and the other benches run
# (a crash still stops the run).
bench: $(STAMP)
	$(PY) bench/run.py
	$(PY) bench/library.py --report-only
	$(PY) bench/chunked.py
	$(PY) bench/testing.py
	$(PY) bench/contracts.py
	$(PY) bench/memory.py

# The media library at a million resources (several minutes: most of it the bulk load); `make bench` runs 100k.
bench-scale: $(STAMP)
	$(PY) bench/library.py --resources 1000000

clean:
	rm -rf $(VENV) $(NODE_DIR)/node_modules .pytest_cache .mypy_cache .ruff_cache
