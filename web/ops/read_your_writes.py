"""A person reads their own writes from the primary, even on pages served from the replica.

With a replica (DATABASE_READ_URL), reads inside services.reading.reading() go to it, and it lags the primary a
little. A signed-in user who just saved a form and is redirected to a dashboard or report must see what they
saved: every write request, and for READ_AFTER_WRITE_SECONDS after a successful one every request of the
same browser session, is pinned to the primary. The API is stateless (no session cookie), so an API write
pins only its own request. Without a replica nothing here runs.
"""
import time

from flask import Flask, current_app, request, session

from services import reading

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WROTE_AT = "wrote_at"


def register(app: Flask) -> None:
    if not app.config.get("DATABASE_READ_URL"):
        return

    @app.before_request
    def _pin():
        wrote_at = session.get(WROTE_AT) if not request.path.startswith("/api/") else None
        window = float(current_app.config["READ_AFTER_WRITE_SECONDS"])
        reading.pin_primary(request.method in WRITES or (wrote_at is not None and time.time() - wrote_at < window))

    @app.after_request
    def _remember(response):
        if request.method in WRITES and response.status_code < 400 and not request.path.startswith("/api/"):
            session[WROTE_AT] = time.time()
        return response

    @app.teardown_request
    def _unpin(_error):
        reading.pin_primary(False)
