"""Per-connection database settings that keep one locked row from stalling the site.

Every PostgreSQL connection of every process built by create_app (web workers, timer workers,
the CLI) gets `lock_timeout = DB_LOCK_TIMEOUT_MS` (2 s by default) when it is opened. A write
blocked on a row someone else holds gives up after that and answers 409 with Retry-After
(web/ops/db_errors.py); a gunicorn thread is busy for at most the timeout, and the other threads
keep serving. Plain reads take no row locks on PostgreSQL and never wait on one.
"""
from flask import Flask
from sqlalchemy import event

from extensions import db


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    @event.listens_for(engine, "connect")
    def _lock_timeout(dbapi_connection, _record):
        timeout_ms = int(app.config["DB_LOCK_TIMEOUT_MS"])  # read per connection: a test may change it
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # a SET outside any transaction: it lasts for the session
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {timeout_ms:d}")
        finally:
            dbapi_connection.autocommit = autocommit
