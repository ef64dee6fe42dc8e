"""Operations: health endpoint, structured request logs, login rate limits, database-busy errors, security headers,
static files fingerprinted, cached and compressed; the per-connection lock timeout; read-your-writes with a replica."""
from flask import Flask, request


def init_app(app: Flask) -> None:
    from extensions import compress
    from web.ops import assets, database, db_errors, headers, health, limits, read_your_writes, request_log
    database.init_app(app)
    read_your_writes.register(app)
    request_log.init_app(app)
    limits.limiter.init_app(app)
    db_errors.register(app)
    headers.register(app)
    assets.register(app)
    compress.init_app(app)
    app.register_blueprint(health.bp)

    from services.workflow import clock

    @app.before_request
    def _shared_clock():  # before any work of the request: the read opens no second connection
        if request.endpoint != "ops.livez":  # /livez never touches the database
            clock.refresh_shared()
