"""A SQLite app for threaded tests: like `app`, with a 30 s busy timeout (pysqlite's 5 s default is too
short for writers queueing on a loaded 2-core machine; a SQLite deployment with threads needs the same)."""
import shutil

import pytest

from app import create_app
from extensions import db
from services.workflow import clock
from tests.conftest import _config_for


@pytest.fixture
def sqlite_app(template_db, tmp_path):
    path = tmp_path / "test.db"
    shutil.copyfile(template_db, path)
    config = type("BusyTimeoutConfig", (_config_for(f"sqlite:///{path}"),),
                  {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 30}}})
    app = create_app(config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    clock.reset()
