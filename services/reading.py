"""Reads that only read may be served by a streaming replica (DATABASE_READ_URL; docs/deploy.md).

A read-only use case runs inside `reading()` (or is decorated `@read_only`): while it runs, every statement
of the request's session goes to the replica engine when one is configured, and to the primary otherwise.
Either way the session refuses to flush, commit or run INSERT/UPDATE/DELETE inside it (ReadOnlyViolation),
so a read-only service that starts writing fails in every test run, not only where a replica exists; the
replica's connections are also read-only on the server.

A replica lags the primary by a little (milliseconds when idle, longer under load), so what it serves may be
slightly stale. That is fine for public pages, dashboards and reports, not for a person reading what they
just wrote: the web layer pins such a request to the primary (`pin_primary(True)`, web/ops/read_your_writes.py).
Objects read inside `reading()` belong to the request's session like any other; attributes loaded after it
ends (lazy loads while rendering) come from the primary.
"""
from contextlib import contextmanager
from functools import wraps
from typing import Callable, Iterator, TypeVar

from extensions import READ_BIND, ReadOnlyViolation, db, primary_pinned_var, reading_var

__all__ = ["ReadOnlyViolation", "reading", "read_only", "reading_active", "pin_primary", "replica_configured"]

F = TypeVar("F", bound=Callable)


@contextmanager
def reading() -> Iterator[None]:
    db.session.flush()  # the caller's pending changes go to the primary first, as autoflush would send them
    token = reading_var.set(True)
    try:
        yield
    finally:
        reading_var.reset(token)


def read_only(function: F) -> F:
    """The use case only reads: run it inside reading()."""
    @wraps(function)
    def wrapper(*args, **kwargs):
        with reading():
            return function(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def pin_primary(pinned: bool) -> None:
    """Whether this thread's reads stay on the primary, even those inside reading() (a user reading their own
    write). The web layer sets it at the start and the end of every request, so it never leaks to the next."""
    primary_pinned_var.set(pinned)


def reading_active() -> bool:
    return reading_var.get()


def replica_configured() -> bool:
    return READ_BIND in db.engines
