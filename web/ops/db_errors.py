"""Database contention reaches the user as 409 "busy, retry", not as a 500.

lock_timeout (55P03), a deadlock victim (40P01), a serialization failure (40001) and a stale
optimistic-lock version all mean "someone else was changing this at the same moment".
"""
from flask import Flask, render_template
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from extensions import db
from web.errors import problem, wants_json

BUSY_CODES = {"55P03", "40P01", "40001"}
MESSAGE = "数据正被其他人同时修改，请稍后重试"


def _busy():
    db.session.rollback()
    if wants_json():
        return problem(409, "操作冲突", MESSAGE)
    return render_template("errors/error.html", status=409, title="操作冲突", detail=MESSAGE), 409


def register(app: Flask) -> None:
    @app.errorhandler(StaleDataError)
    def stale(exc):
        return _busy()

    @app.errorhandler(DBAPIError)
    def dbapi(exc: DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if code in BUSY_CODES:
            return _busy()
        raise exc
