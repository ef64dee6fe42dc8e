"""Flask extensions, created unbound and bound in create_app."""
import sqlite3
from contextvars import ContextVar

import click
from flask_compress import Compress
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from models.base import Base

READ_BIND = "replica"  # the engine of DATABASE_READ_URL (a streaming replica), when set
# True inside services.reading.reading(): the session's statements go to the replica (when there is one),
# and it refuses to write. Per thread and per request (gthread workers), hence context variables.
reading_var: ContextVar[bool] = ContextVar("reading", default=False)
# True for a request that must see its own writes (services.reading.pin_primary): reads stay on the primary.
primary_pinned_var: ContextVar[bool] = ContextVar("primary_pinned", default=False)


class ReadOnlyViolation(RuntimeError):
    """A flush, a commit or a DML statement inside services.reading.reading(): a bug in a read-only service."""


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, but inside reading() every statement goes to the read replica — unless the
    session has written in its open transaction (the replica cannot see that yet) or the request is pinned."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and reading_var.get() and not primary_pinned_var.get() and not self.info.get("wrote"):
            replica = self._db.engines.get(READ_BIND)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@event.listens_for(RoutingSession, "before_flush")
def _no_flush_while_reading(_session, _context, _instances) -> None:
    if reading_var.get():
        raise ReadOnlyViolation("a read-only service tried to write (flush)")


@event.listens_for(RoutingSession, "after_flush")
def _remember_write(session, _context) -> None:
    session.info["wrote"] = True


@event.listens_for(RoutingSession, "after_commit")
@event.listens_for(RoutingSession, "after_rollback")
def _forget_write(session) -> None:
    session.info.pop("wrote", None)


@event.listens_for(RoutingSession, "before_commit")
def _no_commit_while_reading(_session) -> None:
    if reading_var.get():
        raise ReadOnlyViolation("a read-only service tried to commit")


@event.listens_for(RoutingSession, "do_orm_execute")
def _no_dml_while_reading(state) -> None:
    if reading_var.get() and (state.is_insert or state.is_update or state.is_delete):
        raise ReadOnlyViolation("a read-only service tried to run INSERT, UPDATE or DELETE")


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})


def execute_core(statement, params=None):
    """A Core statement of a write transaction (on tables, not ORM entities: nothing to autoflush, no objects to
    load) run on the session's connection, in its transaction. `db.session.execute` does nothing more with such
    a statement but costs ~15 µs more per call (an ORMExecuteState, the do_orm_execute hooks, the bind lookup):
    a completion runs a dozen (issue 18). The connection is looked up once per transaction (`session.connection()`
    looks up the bind every time). Refused inside reading(), as the session refuses DML there."""
    if reading_var.get():
        raise ReadOnlyViolation("a read-only service tried to run a write transaction's statement")
    session = db.session()
    transaction = session.get_transaction()
    held = session.info.get(_CORE_CONNECTION)
    if transaction is None or held is None or held[0] is not transaction:
        connection = session.connection()  # begins the transaction if none is open
        held = session.info[_CORE_CONNECTION] = (session.get_transaction(), connection)
    return held[1].execute(statement, params)


_CORE_CONNECTION = "core_connection"  # (root transaction, its connection); a later transaction is another object


class LazyMigrate:
    """Flask-Migrate, imported when first used. Importing flask_migrate imports Alembic (~0.5 s of CPU), which
    only `flask db …`, a migration and /healthz's head check need, not every web worker and CLI command. Until
    then the app holds a stand-in for app.extensions["migrate"] and for the `db` command group; the first read of
    either binds the real flask_migrate.Migrate with the same arguments, which replaces both."""

    def init_app(self, app, db, **kwargs) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, kwargs)
        app.cli.add_command(_LazyDbGroup(app), "db")


def _bind_migrate(app):
    """The real Migrate bound to app (once), with the arguments LazyMigrate.init_app received."""
    pending = app.extensions["migrate"]
    if isinstance(pending, _PendingMigrate):
        from flask_migrate import Migrate
        Migrate(app, pending._db, **pending._kwargs)  # sets app.extensions["migrate"] and the `db` command group
    return app.extensions["migrate"]


class _PendingMigrate:
    """app.extensions["migrate"] until read: any attribute read binds Flask-Migrate and answers from its config."""

    def __init__(self, app, db, kwargs: dict):
        self._app, self._db, self._kwargs = app, db, kwargs

    def __getattr__(self, name: str):
        return getattr(_bind_migrate(self._app), name)


class _LazyDbGroup(click.Group):
    """`flask db`, Flask-Migrate's group once run: click makes every command's context through make_context,
    and the context made by the real group is the one click then invokes, options and subcommands included."""

    def __init__(self, app):
        super().__init__("db", help="Perform database migrations.")
        self.app = app

    def make_context(self, info_name, args, parent=None, **extra):
        _bind_migrate(self.app)
        from flask_migrate.cli import db as real_group
        return real_group.make_context(info_name, args, parent=parent, **extra)


migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
compress = Compress()


@event.listens_for(Engine, "connect")
def _sqlite_wal(dbapi_connection, _record) -> None:
    """SQLite (development, tests, benches; production refuses it) in WAL mode: a commit appends to the log
    instead of rewriting pages through a rollback journal, and readers do not wait for the writer.
    synchronous=NORMAL is durable across an application crash; only a power cut may lose the last commits."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def add_read_bind(app) -> None:
    """DATABASE_READ_URL set: a second engine (bind "replica", the primary's pool options) that reading()
    routes to. Its connections are read-only on the server too, in case the URL names a primary by mistake."""
    url = app.config.get("DATABASE_READ_URL")
    if not url:
        return
    options = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "url": url}
    connect_args = dict(options.get("connect_args", {}))
    if url.startswith("postgres"):
        connect_args["options"] = f"{connect_args.get('options', '')} -c default_transaction_read_only=on".strip()
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_BINDS"] = {**app.config.get("SQLALCHEMY_BINDS", {}), READ_BIND: options}
