"""What /healthz reports: the database reachable, its schema at the Alembic head, a timer worker beating.

Each check answers {"status": "ok" | "fail" | "unknown", …}; the route (web/ops/health.py) combines them. The
checks only read, and leave the session as they found it (a failed probe is rolled back).
"""
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import func, select, text

from extensions import db
from models import WorkerHeartbeat
from services.workflow import clock


def database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"status": "ok"}
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        db.session.rollback()
        return {"status": "fail", "detail": type(exc).__name__}


@lru_cache(maxsize=4)
def _heads(directory: str) -> tuple[str, ...]:
    # Imported here, once per process (the result is cached): Alembic costs ~0.5 s of CPU to import, which
    # every process importing the health checks would pay at start-up, not only those asked for /healthz.
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def migrations() -> dict:
    heads = _heads(current_app.extensions["migrate"].directory)
    try:
        applied = tuple(sorted(db.session.scalars(text("SELECT version_num FROM alembic_version"))))
    except Exception:  # noqa: BLE001 - no alembic_version table: never migrated
        db.session.rollback()
        applied = ()
    status = "ok" if applied == heads else "fail"
    return {"status": status, "database": list(applied), "head": list(heads)}


def worker() -> dict:
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


def end() -> None:
    """Close the read transaction the checks opened (a health probe must not hold one open)."""
    db.session.rollback()
