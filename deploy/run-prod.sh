#!/usr/bin/env bash
# Production mode on one machine (what `make run-prod` runs): create the database if missing,
# migrate, deploy the bundled workflows, refuse to start while an account still has the demo password,
# then gunicorn (a process per core, or WEB_CONCURRENCY) and one worker process (if cli/worker.py exists). Ctrl-C
# stops both. Never loads demo data (production refuses `demo load`): create the organisation with
# `flask --app app org import FILE.xlsx` and the first admin with `flask --app app users create` (README).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export APP_ENV=production
export DATABASE_URL="${DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/yiye}"
if [ -z "${SECRET_KEY:-}" ]; then
  mkdir -p instance
  [ -s instance/secret_key ] || "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))' > instance/secret_key
  SECRET_KEY="$(cat instance/secret_key)"
  export SECRET_KEY
fi
if [ -z "${AUDIT_HMAC_KEY:-}" ]; then
  # One machine only: the key that links the audit chain, kept outside the database (back it up apart from it).
  mkdir -p instance
  [ -s instance/audit_hmac_key ] || "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))' > instance/audit_hmac_key
  AUDIT_HMAC_KEY="$(cat instance/audit_hmac_key)"
  export AUDIT_HMAC_KEY
fi
export BIND="${BIND:-127.0.0.1:8000}"  # WEB_CONCURRENCY: one process per core unless set (deploy/gunicorn.conf.py)

"$BIN/python" deploy/ensure_database.py
"$BIN/flask" --app app db upgrade
"$BIN/flask" --app app process deploy-bundled
"$BIN/flask" --app app org check-production

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait' EXIT INT TERM
if [ -f cli/worker.py ]; then
  "$BIN/flask" --app app worker &
  pids+=($!)
else
  echo "cli/worker.py not present: no worker started" >&2
fi
"$BIN/gunicorn" --config deploy/gunicorn.conf.py "app:create_app()" &
pids+=($!)
echo "serving on http://$BIND (health: http://$BIND/healthz)" >&2
wait -n
