"""Login rate limits, production cookie flags, security headers."""
import re

import pytest

from app import create_app
from config import ProductionConfig
from tests.conftest import csrf_token, login


def _try(client, username: str, password: str) -> int:
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"username": username, "password": password,
                                            "csrf_token": token}).status_code


def test_failed_logins_are_rate_limited_per_account(client):
    assert [_try(client, "scjg_01", "wrong") for _ in range(5)] == [401] * 5
    assert _try(client, "scjg_01", "demo12345") == 429  # even the right password waits now
    assert _try(client, "scjg_02", "demo12345") == 302  # another account from the same address is not blocked


def test_successful_logins_do_not_count(client):
    assert [_try(client, "scjg_01", "demo12345") for _ in range(6)] == [302] * 6  # more than the 5 allowed failures


def test_api_token_endpoint_is_rate_limited_with_a_problem_document(client):
    codes = [client.post("/api/v1/tokens", json={"username": "xf_01", "password": "bad"}).status_code for _ in range(5)]
    assert codes == [401] * 5
    response = client.post("/api/v1/tokens", json={"username": "xf_01", "password": "demo12345"})
    assert response.status_code == 429
    assert response.content_type == "application/problem+json" and response.get_json()["status"] == 429


def test_security_headers_on_pages_and_api(client):
    for path in ("/auth/login", "/public/", "/api/v1/tasks"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]
    assert client.get("/api/v1/tasks").headers["Cache-Control"] == "no-store"
    login(client, "scjg_01")
    assert client.get("/inbox/").headers["Cache-Control"] == "no-store"


def _own_password(app, username: str, password: str) -> None:
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from extensions import db
    from models import User
    with app.app_context():
        db.session.scalars(select(User).where(User.username == username)).one().password_hash = \
            generate_password_hash(password)
        db.session.commit()


@pytest.fixture
def prod_client(app):
    # ProductionConfig as deployed, except that it runs on the test's SQLite copy (check() refuses SQLite).
    config = type("ProdOnTestDb", (ProductionConfig,), {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x" * 40,
        "SQLALCHEMY_ENGINE_OPTIONS": {}, "LOG_FORMAT": "text", "check": classmethod(lambda cls: None)})
    client = create_app(config).test_client()  # https (PREFERRED_URL_SCHEME), so Secure cookies go back
    client.environ_base["HTTP_REFERER"] = "https://localhost/auth/login"  # CSRF's strict same-origin check on https
    return client


def test_production_session_cookie_is_secure_httponly_samesite(app, prod_client):
    _own_password(app, "scjg_01", "Ziji2026pass")  # production refuses the demo password (services/auth.py)
    response = login(prod_client, "scjg_01", "Ziji2026pass")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and re.search(r"SameSite=Lax", cookie)
    assert prod_client.get("/public/").headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("secret,url,message", [
    (None, "postgresql+psycopg://u@h/db", "SECRET_KEY"),
    ("dev-only-secret-change-me", "postgresql+psycopg://u@h/db", "SECRET_KEY"),
    ("s" * 40, "sqlite:///x.db", "PostgreSQL")])
def test_production_refuses_unsafe_settings(secret, url, message):
    config = type("Unsafe", (ProductionConfig,), {"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": url})
    with pytest.raises(RuntimeError, match=message):
        create_app(config)
