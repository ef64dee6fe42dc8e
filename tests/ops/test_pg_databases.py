"""PostgreSQL tests use databases they create and drop only those (tests/pgdb.py)."""
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from extensions import db
from tests import conftest, pgdb


def _exists(name: str) -> bool:
    with psycopg.connect(pgdb._admin_dsn(), connect_timeout=5) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def _needs_server():
    if pgdb.requested() is None or pgdb.reachable() is not None:
        pytest.skip("PostgreSQL tests not requested or server unreachable")


def test_drop_refuses_a_database_it_did_not_create_without_connecting(monkeypatch):
    monkeypatch.setenv("POSTGRES_ADMIN_URL", "postgresql+psycopg://nobody@127.0.0.1:1/postgres")
    for url in ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
                "postgresql+psycopg://postgres@127.0.0.1:5432/yiye_test_0123456789"):
        with pytest.raises(pgdb.NotOwnedDatabase, match="did not create"):
            pgdb.drop(url)


def test_drop_refuses_an_existing_database_of_someone_else_and_leaves_it(monkeypatch):
    _needs_server()
    # A name of our prefix, made by someone else (another checkout's run): not ours to drop.
    foreign = f"{pgdb.os.environ.get('POSTGRES_TEST_DB_PREFIX', 'yiye_test_')}foreign_{pgdb.secrets.token_hex(3)}"
    with psycopg.connect(pgdb._admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{foreign}"')
    try:
        with pytest.raises(pgdb.NotOwnedDatabase):
            pgdb.drop(str(pgdb.server_url().set(database=foreign).render_as_string(hide_password=False)))
        assert _exists(foreign)
    finally:
        with psycopg.connect(pgdb._admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{foreign}"')


def test_a_created_database_is_unique_and_dropped(monkeypatch):
    _needs_server()
    first, second = pgdb.create(), pgdb.create()
    names = [make_url(first).database, make_url(second).database]
    assert names[0] != names[1] and all(_exists(n) for n in names)
    prefix = pgdb.os.environ.get("POSTGRES_TEST_DB_PREFIX", "yiye_test_")
    assert all(n.startswith(prefix) for n in names)
    pgdb.drop(first)
    pgdb.drop(second)
    assert not any(_exists(n) for n in names)
    with pytest.raises(pgdb.NotOwnedDatabase):
        pgdb.drop(first)  # once dropped it is no longer ours


def test_pg_app_runs_on_its_own_database(pg_app):
    name = make_url(pg_app.config["SQLALCHEMY_DATABASE_URI"]).database
    assert name != "test" and name in pgdb._created and _exists(name)


def test_postgres_tests_run_only_when_asked(monkeypatch):
    monkeypatch.delenv("REQUIRE_POSTGRES", raising=False)
    monkeypatch.delenv("POSTGRES_TESTS", raising=False)
    assert conftest.postgres_url() is None  # even if a server answers on 127.0.0.1:5432
    monkeypatch.setenv("POSTGRES_ADMIN_URL", "postgresql+psycopg://nobody@127.0.0.1:1/postgres")
    monkeypatch.setenv("POSTGRES_TESTS", "1")
    assert conftest.postgres_url() is None  # opted in, unreachable: skipped
    monkeypatch.setenv("REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL required"):
        conftest.postgres_url()


def test_the_tests_databases_do_not_wait_for_the_disk_at_commit(pg_app):
    with pg_app.app_context():
        assert db.session.execute(text("SHOW synchronous_commit")).scalar() == "off"
        db.session.remove()
