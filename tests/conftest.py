"""Fixtures: a migrated SQLite database with the demo county, copied fresh for every test."""
import gc
import re
import shutil
import sqlite3
from contextlib import closing

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import update
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from app import create_app
from config import TestConfig
from extensions import db
from models import Base, User
from services.workflow import clock
from services.workflow import deployments
from demo.county import DEMO_PASSWORD, load_demo
from tests import factory_snapshots, pgdb
from tests import shared_caches

shared_caches.install()
# Every test builds an app, an engine and hundreds of ORM objects; with the default thresholds (700, 10, 10) the
# collector walks the whole heap of a test process ever more often as it grows, ~10 % of a test process's CPU
# (measured on tests/web: 25.0 → 21.8 s). Collections are rarer here, not off: reference cycles still go.
gc.set_threshold(50_000, 20, 100)
# Signing in is most tests' first step, and werkzeug's default scrypt costs ~0.1 s of CPU per check by design
# (hundreds of seconds over the suite). The demo accounts of the test databases get a one-round pbkdf2 hash of
# the same password: every login still checks a real hash, and accounts the services create keep the default.
CHEAP_DEMO_HASH = generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:1")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    """Before the test's fixtures: a test that patches code (monkeypatch) always drives its factories."""
    factory_snapshots.set_patching(bool({"monkeypatch", "mocker"} & set(item.fixturenames)))


def _config_for(url: str) -> type[TestConfig]:
    return type("BoundTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> str:
    """Migrate once (through Alembic, so the migrations are tested too) and load the demo data."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    app = create_app(_config_for(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        deployments.deploy_bundled()
        load_demo()
        cheap_demo_passwords()
        db.session.remove()
        db.engine.dispose()
    # SQLite runs in WAL mode: fold the log into the file, so that copying the file alone copies everything.
    with closing(sqlite3.connect(path)) as raw:
        busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "a connection to the template database is still open"
    return str(path)


def cheap_demo_passwords() -> None:
    db.session.execute(update(User).values(password_hash=CHEAP_DEMO_HASH))
    db.session.commit()


def app_on_copy(template_db: str, path) -> Flask:
    """An app on a copy of the template database at `path`."""
    shutil.copyfile(template_db, path)
    factory_snapshots.note_copy(path, template_db)
    return create_app(_config_for(f"sqlite:///{path}"))


def close_app(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    clock.reset()


@pytest.fixture
def app(template_db, tmp_path):
    app = app_on_copy(template_db, tmp_path / "test.db")
    # No app context stays pushed: a request would reuse it, and `g` (Flask-Login's user,
    # the CSRF token) would leak from one test client to another. Use app.app_context().
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username: str, password: str = DEMO_PASSWORD):
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def postgres_url() -> str | None:
    """A fresh PostgreSQL database of this run's own (tests/pgdb.py), or None when the PG tests are not requested
    or (opted in, not required) the server is unreachable. With REQUIRE_POSTGRES=1 an unreachable server fails."""
    mode = pgdb.requested()
    if mode is None:
        return None
    error = pgdb.reachable()
    if error is not None:
        if mode == "required":
            pytest.fail(f"PostgreSQL required (REQUIRE_POSTGRES=1) but not reachable: {error}")
        return None
    return pgdb.create(wait_for_flush=False)


@pytest.fixture(scope="session")
def pg_template() -> str:
    """The schema and the demo county, built once per test process in a PostgreSQL database of its own;
    each `pg_app` database is a copy of it (CREATE DATABASE … TEMPLATE copies files: no DDL, no demo load)."""
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL tests not requested (REQUIRE_POSTGRES=1 or POSTGRES_TESTS=1) or server unreachable")
    try:
        app = create_app(_config_for(url))
        with app.app_context():
            Base.metadata.create_all(db.engine)
            deployments.deploy_bundled()
            load_demo()
            cheap_demo_passwords()
            db.session.remove()
            db.engine.dispose()  # a template database takes no copy while anyone is connected to it
        yield make_url(url).database
    finally:
        try:
            pgdb.wait_for_drops()  # the copies' drops (every `pg_app` of this process ends before this)
        finally:
            pgdb.drop(url)
            clock.reset()


@pytest.fixture
def pg_app(pg_template):
    """An app on a PostgreSQL database created for this test alone (a copy of `pg_template`), with the schema
    and the demo county; the database is dropped afterwards, while the next test runs (and no other database
    is ever touched)."""
    url = pgdb.create(template=pg_template, wait_for_flush=False)
    try:
        app = create_app(_config_for(url))
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        pgdb.drop_later(url)
        clock.reset()
