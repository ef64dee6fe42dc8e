"""Operations: health endpoint, structured request logs, login rate limits, database-busy errors, security headers."""
from flask import Flask


def init_app(app: Flask) -> None:
    from web.ops import db_errors, headers, health, limits, request_log
    request_log.init_app(app)
    limits.limiter.init_app(app)
    db_errors.register(app)
    headers.register(app)
    app.register_blueprint(health.bp)
