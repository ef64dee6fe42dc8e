"""PostgreSQL databases that a test run (or a bench) creates for itself, and only those.

Tests that need PostgreSQL never use a database that exists already (on a developer's or a bureau's
machine a database named `test` may be someone's data). They ask the server named by
POSTGRES_ADMIN_URL (default: the server of POSTGRES_TEST_URL, else postgres@127.0.0.1:5432, through
its `postgres` maintenance database) to CREATE DATABASE with a fresh unique name under a prefix
(POSTGRES_TEST_DB_PREFIX, default `yiye_test_`), and drop exactly the names they created — `drop()`
refuses any other name.

They run only when asked: REQUIRE_POSTGRES=1 (CI: an unreachable server fails the run) or
POSTGRES_TESTS=1 (opt-in: an unreachable server skips). Without either they are skipped even when a
server answers on 127.0.0.1:5432.
"""
import os
import secrets
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
_created: set[str] = set()


class NotOwnedDatabase(RuntimeError):
    """An attempt to drop a database this process did not create."""


def requested() -> str | None:
    """'required', 'opted-in' or None (PostgreSQL tests are skipped)."""
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        return "required"
    if os.environ.get("POSTGRES_TESTS") == "1":
        return "opted-in"
    return None


def server_url() -> URL:
    url = os.environ.get("POSTGRES_ADMIN_URL") or os.environ.get("POSTGRES_TEST_URL") or DEFAULT_SERVER
    return make_url(url).set(drivername="postgresql+psycopg")


def _admin_dsn() -> str:
    return server_url().set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def reachable() -> Exception | None:
    """None when the server answers, else the error."""
    try:
        with psycopg.connect(_admin_dsn(), connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return exc


def create(prefix: str | None = None, template: str | None = None, wait_for_flush: bool = True) -> str:
    """CREATE DATABASE <prefix><random>; returns its SQLAlchemy URL. Only such names can be dropped.
    With `template` (a database this process created, nobody connected to it) the new one is its copy.

    `wait_for_flush=False` (the tests' databases) sets synchronous_commit = off on the database, for every
    session on it (the app's, a test's, a gunicorn's or a worker's): a COMMIT returns before its WAL reaches
    the disk. What any session sees is the same — the commit is visible, locks are released, the order of
    commits holds; only a crash of the server itself could forget the last fraction of a second of them,
    and no test crashes this server (tests/pgreplica.py runs its own). Benches keep the default."""
    prefix = prefix or os.environ.get("POSTGRES_TEST_DB_PREFIX", "yiye_test_")
    name = f"{prefix}{secrets.token_hex(5)}"
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        if template not in _created:
            raise NotOwnedDatabase(f"refusing to copy database {template!r}: this run did not create it")
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(_admin_dsn(), autocommit=True, connect_timeout=10) as conn:
        conn.execute(statement)
        if not wait_for_flush:  # a database's settings are not copied from its template
            conn.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name)))
    _created.add(name)
    return server_url().set(database=name).render_as_string(hide_password=False)


def drop(url: str, admin_dsn: str | None = None) -> None:
    """Drop a database created by `create()` in this process; any other name is refused."""
    name = make_url(url).database
    if name not in _created:
        raise NotOwnedDatabase(f"refusing to drop database {name!r}: this run did not create it")
    with psycopg.connect(admin_dsn or _admin_dsn(), autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    _created.discard(name)


_dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pgdb-drop")
_pending: list[Future] = []


def drop_later(url: str) -> None:
    """`drop()` in a background thread: DROP DATABASE waits for a server checkpoint (seconds on a busy disk),
    which the next test need not wait for. `wait_for_drops()` waits for them all and raises the first failure."""
    # The server is the one named now: a test running meanwhile may point the environment elsewhere.
    _pending.append(_dropper.submit(drop, url, _admin_dsn()))


def wait_for_drops() -> None:
    while _pending:
        _pending.pop(0).result()


def bench_database() -> str | None:
    """A fresh `yiye_bench_*` database for a bench's PostgreSQL part, or None (skipped) unless asked for
    (BENCH_POSTGRES=1, REQUIRE_POSTGRES=1 or POSTGRES_TESTS=1) and the server answers. Drop it with `drop()`."""
    if os.environ.get("BENCH_POSTGRES") != "1" and requested() is None:
        return None
    if reachable() is not None:
        return None
    return create("yiye_bench_")
