"""Database errors the user caused or can retry reach them as 4xx, not as a 500.

lock_timeout (55P03), a deadlock victim (40P01), a serialization failure (40001) and a stale
optimistic-lock version all mean "someone else was changing this at the same moment": 409.
A number too large for an integer column (found by schemathesis: /api/v1/campaigns/3592923875558…)
is a 404 in a path (no such row can exist) and a 422 in a body.
"""
from flask import Flask, abort, render_template, request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from extensions import db
from web.errors import problem, wants_json

BUSY_CODES = {"55P03", "40P01", "40001"}
OUT_OF_RANGE = "22003"
MESSAGE = "数据正被其他人同时修改，请稍后重试"
INT_RANGE = range(-2**31, 2**31)  # models use 32-bit INTEGER ids


def _answer(status: int, title: str, detail: str):
    db.session.rollback()
    if wants_json():
        return problem(status, title, detail)
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def _busy():
    return _answer(409, "操作冲突", MESSAGE)


def _out_of_range():
    return _answer(422, "输入有误", "数值超出允许范围")


def register(app: Flask) -> None:
    @app.errorhandler(StaleDataError)
    def stale(exc):
        return _busy()

    @app.errorhandler(DBAPIError)
    def dbapi(exc: DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if code in BUSY_CODES:
            return _busy()
        if code == OUT_OF_RANGE:
            return _out_of_range()
        raise exc

    @app.errorhandler(OverflowError)
    def overflow(exc):  # SQLite's driver refuses integers beyond 64 bits before the query runs
        return _out_of_range()

    @app.before_request
    def _path_ids_in_range():
        if any(isinstance(v, int) and v not in INT_RANGE for v in (request.view_args or {}).values()):
            abort(404)
