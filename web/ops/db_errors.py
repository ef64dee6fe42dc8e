"""Database errors the user caused or can retry reach them as 4xx or 503, never as a 500.

- lock_timeout (55P03), a deadlock victim (40P01), a serialization failure (40001) and a stale
  optimistic-lock version all mean "someone else was changing this at the same moment": 409,
  with Retry-After (the lock is held for a moment, the same request can simply be sent again).
- The connection itself failing — a backend terminated by an administrator or a fail-over
  (57P01–57P03), a connection error (class 08), a connection SQLAlchemy invalidated, the pool
  exhausted (QueuePool timeout) — is the service being briefly unavailable: 503 with Retry-After.
  The transaction was rolled back with the connection, so nothing was half-written and a retry is
  safe; the pool pre-pings (config.py) and replaces dead connections by itself.
- A number too large for an integer column (found by schemathesis: /api/v1/campaigns/3592923875558…)
  is a 404 in a path (no such row can exist) and a 422 in a body.
"""
import logging

from flask import Flask, abort, current_app, render_template, request
from markupsafe import escape
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError

from extensions import db
from web.errors import problem, wants_json
from web.i18n import N_

BUSY_CODES = {"55P03", "40P01", "40001"}
# 57P01 admin_shutdown (pg_terminate_backend, a fast shutdown), 57P02 crash_shutdown, 57P03 cannot_connect_now
# (starting up, a standby being promoted); class 08: connection exceptions.
UNAVAILABLE_CODES = {"57P01", "57P02", "57P03"}
OUT_OF_RANGE = "22003"
INT_RANGE = range(-2**31, 2**31)  # models use 32-bit INTEGER ids
log = logging.getLogger(__name__)

# Messages the services raise and pages show through web.i18n.known: catalogued here so English pages
# translate them (services/workflow/tasks.py).
SERVICE_TEXTS = (N_("您已办理过该任务"), N_("该任务已办理：办理人是其他同事，不是您"), N_("幂等键无效"),
                 N_("幂等键已用于另一项任务"))


def _answer(status: int, title: str, detail: str, retry_after: int | None = None):
    db.session.rollback()
    if wants_json():
        response = problem(status, title, detail)
    else:
        try:
            page = render_template("errors/error.html", status=status, title=title, detail=detail)
        except (DBAPIError, PoolTimeout):  # the layout asks who is signed in: with the database down, plain text
            db.session.rollback()
            page = f"<!doctype html><title>{escape(title)}</title><h1>{status} · {escape(title)}</h1><p>{escape(detail)}</p>"
        response = current_app.make_response((page, status))
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _busy():
    return _answer(409, _("操作冲突"), _("数据正被其他人同时修改，请稍后重试"),
                   current_app.config.get("RETRY_AFTER_BUSY_SECONDS", 2))


def _unavailable(reason: str):
    log.warning("database unavailable, answered 503", extra={"fields": {"reason": reason, "path": request.path}})
    return _answer(503, _("服务暂时不可用"), _("数据库连接暂时中断，本次操作未保存任何内容，请稍后重试。"),
                   current_app.config.get("RETRY_AFTER_UNAVAILABLE_SECONDS", 5))


def _out_of_range():
    return _answer(422, _("输入有误"), _("数值超出允许范围"))


def is_connection_failure(exc: BaseException) -> bool:
    """Whether a database error means the connection (not the statement) failed: retrying is safe."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
    return code in UNAVAILABLE_CODES or code.startswith("08")


def register(app: Flask) -> None:
    @app.errorhandler(StaleDataError)
    def stale(exc):
        return _busy()

    @app.errorhandler(PoolTimeout)
    def pool_exhausted(exc):
        return _unavailable("pool timeout")

    @app.errorhandler(DBAPIError)
    def dbapi(exc: DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if code in BUSY_CODES:
            return _busy()
        if code == OUT_OF_RANGE:
            return _out_of_range()
        if is_connection_failure(exc):
            return _unavailable(code or type(exc.orig).__name__)
        raise exc

    @app.errorhandler(OverflowError)
    def overflow(exc):  # SQLite's driver refuses integers beyond 64 bits before the query runs
        return _out_of_range()

    @app.before_request
    def _path_ids_in_range():
        if any(isinstance(v, int) and v not in INT_RANGE for v in (request.view_args or {}).values()):
            abort(404)
