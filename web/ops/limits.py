"""Login rate limits (Flask-Limiter): only failed attempts count, per account+address and per address.

Storage is RATELIMIT_STORAGE_URI: memory:// by default (per process: with N gunicorn workers
an attacker gets N times the budget), redis://127.0.0.1:6379 in production for one shared count.
"""
from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def _failed(response) -> bool:
    return response.status_code in (400, 401, 422)


def _account_key() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    username = (body or {}).get("username") if isinstance(body, dict) else request.form.get("username")
    return f"{get_remote_address()}|{str(username or '').strip().lower()[:100]}"


def login_limits(view):
    """Decorate a login view: LOGIN_RATE_LIMIT per account and address, LOGIN_RATE_LIMIT_PER_IP per address."""
    view = limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_IP"], methods=["POST"],
                         deduct_when=_failed, scope="login-ip")(view)
    return limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_account_key, methods=["POST"],
                         deduct_when=_failed, scope="login-account")(view)
