# Two commands for a fresh machine: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
FLASK   := $(BIN)/flask --app app
PORT    ?= 5000
export DATABASE_URL ?=

.PHONY: run test bench mutation install npm migrate demo clean browser run-prod translations bytecode

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

# The designer's bundle (bpmn-js modeler, dmn-js) is built from npm packages; static/build/ is gitignored.
static/build/designer.js: node_modules/.installed scripts/build-frontend.mjs $(wildcard static/designer/*.js static/designer/*.json)
	npm run --silent build

# Headless browser for tests/browser only (Debian's chromium-headless-shell, Chromium's headless build without
# the desktop browser around it: the same Blink, ~40 % less CPU per page than `chromium --headless` measured on
# the accessibility audits; Playwright never downloads one), with a CJK font so its screenshots show Chinese.
# The one step that needs root, and only `make test` runs it: without root and without it, it says so and the
# browser tests skip (REQUIRE_BROWSER=1, as in CI, fails them).
browser:
	@if command -v chromium-headless-shell >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y --no-install-recommends chromium-headless-shell fonts-noto-cjk; \
	else echo "chromium-headless-shell is not installed and installing it needs root" \
	  "(apt-get install chromium-headless-shell fonts-noto-cjk): the browser tests will be skipped" >&2; fi

# UI translations: .po files are committed, .mo files are built here (gitignored; the app also compiles
# a missing or stale .mo at start-up).
translations: $(STAMP)
	$(BIN)/pybabel -q compile -d translations

# The project's modules compiled once into __pycache__ (only those changed since). Where PYTHONDONTWRITEBYTECODE
# is set (this machine's environment has it) Python never writes them itself, so every process — each gunicorn
# worker, CLI command and test server the suite starts — compiled ~300 modules from source again.
PY_SOURCES := app.py config.py extensions.py bench cli demo domain engine forms models schemas services web tests migrations
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q -j 0 $(PY_SOURCES)

# Everything the running app needs, as an ordinary user: Python packages into .venv (the CJK font for
# documents among them), npm packages into node_modules. Nothing system-wide.
install: $(STAMP) node_modules/.installed static/build/designer.js translations bytecode

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load
	$(FLASK) demo campaigns

run: demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Two test processes (this machine has 2 cores; much of the suite waits on browsers, servers and PostgreSQL);
# worksteal keeps both busy when a long test lands late. TEST_WORKERS=0 runs in one process.
# PYTHONDONTWRITEBYTECODE (set in this machine's environment) also stops pytest from caching the test modules it
# rewrites for its assertions: every worker then parsed and rewrote all of them again on every run (~5 CPU-s each).
TEST_WORKERS ?= 2
test: install browser
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal

# PostgreSQL parts run in yiye_bench_* databases the benches create and drop (tests/pgdb.py).
bench: install
	BENCH_POSTGRES=1 $(BIN)/python -m bench

# Mutation testing (mutmut, the `mutation` extra) of the sandbox, the draw, the audit chain, USCC and working
# days, each against its own tests; fails below the thresholds in mutation/run.py. Slow: not part of `make test`.
mutation: install
	$(BIN)/pip install --quiet -e '.[test,mutation]'
	nice -n 19 $(BIN)/python mutation/run.py $(MODULES)

clean:
	rm -rf $(VENV) node_modules instance/app.db static/build

# Production mode on this machine: PostgreSQL (DATABASE_URL, default .../yiye), gunicorn x4, one worker.
run-prod: install
	deploy/run-prod.sh
