"""SQL statements per completion: a count, not a time (the issue-18 budget is ≤ 15 on PostgreSQL).

`counting(engine)` listens to `before_cursor_execute` while its block runs and keeps each statement's
text, so a bench row can print the count and a test can assert a bound (and show the statements when the
bound is missed).
"""
from contextlib import contextmanager

from sqlalchemy import event


class Statements(list):
    """The SQL texts executed inside a `counting` block, in order."""

    def report(self) -> str:
        return "\n".join(f"{i + 1:3}. {' '.join(s.split())[:160]}" for i, s in enumerate(self))


@contextmanager
def counting(engine):
    seen = Statements()

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def completion_statements(actor, task_id: int, payload: dict) -> Statements:
    """Statements of one `tasks.complete` (commit included) in the current app context."""
    from extensions import db
    from services.workflow import tasks
    with counting(db.engine) as seen:
        tasks.complete(actor, task_id, payload)
    return seen
