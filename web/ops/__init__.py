"""Operations: health endpoint, structured request logs, login rate limits, database-busy errors, security headers,
static files fingerprinted, cached and compressed."""
from flask import Flask


def init_app(app: Flask) -> None:
    from extensions import compress
    from web.ops import assets, db_errors, headers, health, limits, request_log
    request_log.init_app(app)
    limits.limiter.init_app(app)
    db_errors.register(app)
    headers.register(app)
    assets.register(app)
    compress.init_app(app)
    app.register_blueprint(health.bp)
