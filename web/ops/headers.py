"""Security headers beyond the ones web/__init__.py sets for every response."""
from flask import Flask, request
from flask_login import current_user

from web.ops.assets import is_static


def register(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Pages for a signed-in person and API answers hold non-public data: no shared or browser cache.
        # Static files hold nothing personal: web/ops/assets.py caches them for everyone.
        if is_static(request.endpoint):
            return response
        if request.path.startswith("/api/") or current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response
