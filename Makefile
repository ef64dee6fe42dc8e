# Two commands for a fresh machine: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
FLASK   := $(BIN)/flask --app app
export DATABASE_URL ?=

.PHONY: run test bench install npm migrate demo clean run-prod

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

install: $(STAMP) node_modules/.installed

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

run: demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules instance/app.db

# Production mode on this machine: PostgreSQL (DATABASE_URL, default .../yiye), gunicorn x4, one worker.
run-prod: install
	deploy/run-prod.sh
