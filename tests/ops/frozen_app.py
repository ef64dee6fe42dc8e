"""A gunicorn entry point for the crash tests: the app, plus a freeze just before COMMIT of any request
that carries `X-Test-Freeze: <marker file>`, or just after it (the transaction is durable, the answer
not sent yet) with `X-Test-Freeze-After-Commit: <marker file>` (test code only; production has no such hook)."""
import os
import time
from pathlib import Path

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import create_app
from config import TestConfig
from extensions import db


def create():
    app = create_app(type("FrozenConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
                                                           "WTF_CSRF_ENABLED": False}))

    @app.before_request
    def _arm():
        g.freeze_marker = request.headers.get("X-Test-Freeze")
        g.freeze_after_commit = request.headers.get("X-Test-Freeze-After-Commit")

    @event.listens_for(Session, "after_commit")
    def _freeze_after(session):
        marker = g.get("freeze_after_commit") if has_request_context() else None
        if marker:
            Path(marker).write_text(str(os.getpid()))
            while True:
                time.sleep(60)

    with app.app_context():
        @event.listens_for(db.engine, "commit")
        def _freeze(conn):
            marker = g.get("freeze_marker") if has_request_context() else None
            if marker:
                Path(marker).write_text(str(os.getpid()))  # the worker's pid, for the test to kill -9
                while True:
                    time.sleep(60)
    return app
