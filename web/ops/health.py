"""GET /healthz: database reachable, migrations current, worker heartbeat fresh.

503 when the database is unreachable, the schema is not at the Alembic head, or the worker
heartbeat is stale (the timer worker, cli/worker.py, beats every loop); before any worker has
run the check says "unknown" and does not fail. `?scope=app` skips the worker check: a load
balancer should not take every app server out of rotation because the worker is down.
/livez answers without touching the database (process up).
"""
from flask import Blueprint, jsonify, request

from services import health

bp = Blueprint("ops", __name__)


@bp.get("/livez")
def livez():
    return {"status": "ok"}


@bp.get("/healthz")
def healthz():
    checks = {"database": health.database()}
    checks["migrations"] = health.migrations() if checks["database"]["status"] == "ok" else {"status": "unknown"}
    if request.args.get("scope") != "app":
        checks["worker"] = health.worker() if checks["database"]["status"] == "ok" else {"status": "unknown"}
    healthy = all(c["status"] in ("ok", "unknown") for c in checks.values()) and checks["database"]["status"] == "ok"
    health.end()
    response = jsonify({"status": "ok" if healthy else "fail", "checks": checks})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
