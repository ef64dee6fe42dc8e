"""Fixtures: a migrated SQLite database with the demo county, copied fresh for every test."""
import os
import re
import shutil

import pytest
from flask_migrate import upgrade

from app import create_app
from config import TestConfig
from extensions import db
from models import Base
from services.workflow import clock
from services.workflow import deployments
from demo.county import DEMO_PASSWORD, load_demo


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
        db.engine.dispose()
    return str(path)


@pytest.fixture
def app(template_db, tmp_path):
    path = tmp_path / "test.db"
    shutil.copyfile(template_db, path)
    app = create_app(_config_for(f"sqlite:///{path}"))
    # No app context stays pushed: a request would reuse it, and `g` (Flask-Login's user,
    # the CSRF token) would leak from one test client to another. Use app.app_context().
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    clock.reset()


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
    """The PostgreSQL test database when reachable; with REQUIRE_POSTGRES=1 its absence fails the run."""
    url = os.environ.get("POSTGRES_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        import psycopg
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), connect_timeout=3):
            return url
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required (REQUIRE_POSTGRES=1) but not reachable: {exc}")
        return None


@pytest.fixture
def pg_app():
    """An app on the PostgreSQL test database with a fresh schema and the demo county.

    Each checkout that runs tests at the same time needs its own database: set POSTGRES_TEST_URL.
    """
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable (set REQUIRE_POSTGRES=1 to make this a failure)")
    app = create_app(_config_for(url))
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        deployments.deploy_bundled()
        load_demo()
    yield app
    with app.app_context():
        db.session.remove()
        Base.metadata.drop_all(db.engine)
        db.engine.dispose()
    clock.reset()
