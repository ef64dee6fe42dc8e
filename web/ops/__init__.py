"""Operations: per-connection lock timeout, health endpoint, structured request logs, login rate limits, database-busy errors, security headers."""
from flask import Flask


def init_app(app: Flask) -> None:
    from web.ops import database, db_errors, headers, health, limits, request_log
    database.init_app(app)
    request_log.init_app(app)
    limits.limiter.init_app(app)
    db_errors.register(app)
    headers.register(app)
    app.register_blueprint(health.bp)
