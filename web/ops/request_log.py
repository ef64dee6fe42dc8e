"""Structured logs: one JSON line per request (method, path, status, duration, user, request id).

With LOG_FORMAT=json (production default) every log record of the app goes out as one JSON
line on stderr, where systemd's journal or the process manager collects it. The request id
comes from X-Request-ID when a proxy set one, else a new one; it is echoed in the response.
"""
import json
import logging
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy import inspect as sa_inspect

REQUEST_LOGGER = "yiye.request"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
        app.logger.handlers.clear()  # propagate to the root handler, one format for everything
    logger = logging.getLogger(REQUEST_LOGGER)
    logger.setLevel(logging.INFO)
    logger.disabled = False  # Alembic's env.py (logging.fileConfig) disables loggers that existed before it ran

    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex

    @app.after_request
    def _log(response):
        started = g.pop("request_started", None)
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        logger.info("request", extra={"fields": {
            "method": request.method, "path": request.path, "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user_id": _user_id(), "request_id": request_id, "remote_addr": request.remote_addr}})
        return response


def _user_id() -> int | None:
    """The signed-in user's id as the identity map knows it: after the request's commit the user object is
    expired, and reading `.id` would cost a SELECT (and a pool checkout) per request just for this line."""
    user = g.get("api_user")
    if user is None:
        try:
            if not current_user.is_authenticated:
                return None
            user = current_user._get_current_object()
        except Exception:  # noqa: BLE001 - a broken session must not break logging
            return None
    state = sa_inspect(user, raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else getattr(user, "id", None)
