"""GET /healthz: database reachable, migrations current, worker heartbeat fresh.

503 when the database is unreachable, the schema is not at the Alembic head, or the worker
heartbeat is stale (the timer worker, cli/worker.py, beats every loop); before any worker has
run the check says "unknown" and does not fail. `?scope=app` skips the worker check: a load
balancer should not take every app server out of rotation because the worker is down.
/livez answers without touching the database (process up).
"""
from datetime import timedelta
from functools import lru_cache

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import func, select, text

from extensions import db
from models import WorkerHeartbeat
from services.workflow import clock

bp = Blueprint("ops", __name__)


@bp.get("/livez")
def livez():
    return {"status": "ok"}


@bp.get("/healthz")
def healthz():
    checks = {"database": _database()}
    checks["migrations"] = _migrations() if checks["database"]["status"] == "ok" else {"status": "unknown"}
    if request.args.get("scope") != "app":
        checks["worker"] = _worker() if checks["database"]["status"] == "ok" else {"status": "unknown"}
    healthy = all(c["status"] in ("ok", "unknown") for c in checks.values()) and checks["database"]["status"] == "ok"
    db.session.rollback()
    response = jsonify({"status": "ok" if healthy else "fail", "checks": checks})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"status": "ok"}
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        db.session.rollback()
        return {"status": "fail", "detail": type(exc).__name__}


@lru_cache(maxsize=4)
def _heads(directory: str) -> tuple[str, ...]:
    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def _migrations() -> dict:
    heads = _heads(current_app.extensions["migrate"].directory)
    try:
        applied = tuple(sorted(db.session.scalars(text("SELECT version_num FROM alembic_version"))))
    except Exception:  # noqa: BLE001 - no alembic_version table: never migrated
        db.session.rollback()
        applied = ()
    status = "ok" if applied == heads else "fail"
    return {"status": status, "database": list(applied), "head": list(heads)}


def _worker() -> dict:
    if db.session.scalar(select(func.count()).select_from(WorkerHeartbeat)) == 0:
        return {"status": "unknown", "detail": "no timer worker has run yet"}
    # A worker that stopped cleanly marks stopped_at: such a row is not a live worker.
    last = db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)).where(WorkerHeartbeat.stopped_at.is_(None)))
    if last is None:
        return {"status": "fail", "detail": "no running worker has sent a heartbeat"}
    age = clock.now() - last
    limit = timedelta(seconds=current_app.config.get("WORKER_HEARTBEAT_MAX_AGE", 120))
    return {"status": "ok" if age <= limit else "fail", "last_beat": last.isoformat(),
            "age_seconds": round(age.total_seconds(), 1)}
