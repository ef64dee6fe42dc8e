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


def both_signatures(app) -> tuple[Statements, Statements, int]:
    """The statements of both signatures of one inspection in a fresh campaign (tests/factories.py), after
    another inspection's first signature, as in a running process (schema and calendar caches warm).
    Returns (first signature, countersign, inspection id)."""
    from tests import factories
    campaign_id, _ = factories.campaign_at(app, "drawn")
    warm_up, task = factories.open_tasks(app, campaign_id, "joint_inspection")[:2]
    factories.complete(app, warm_up["candidates"][0], warm_up["id"],
                       factories.inspection_data(app, warm_up["id"], warm_up["candidates"][0], problem=False))
    first, second = task["candidates"][:2]
    data = factories.inspection_data(app, task["id"], first, problem=False)
    with app.app_context():
        first_run = completion_statements(factories.user(first), task["id"], data)
    [countersign] = [t for t in factories.open_tasks(app, campaign_id, "joint_inspection")
                     if t["inspection_id"] == task["inspection_id"]]
    data = factories.inspection_data(app, countersign["id"], second, problem=False)
    with app.app_context():
        second_run = completion_statements(factories.user(second), countersign["id"], data)
    return first_run, second_run, task["inspection_id"]


def postgres_rows() -> list[tuple[str, str, str]]:
    """Statements per completion on PostgreSQL, in a yiye_bench_* database of this run's own (dropped after)."""
    from app import create_app
    from config import TestConfig
    from demo.county import load_demo
    from extensions import db
    from models import Base
    from services.workflow import deployments
    from tests import pgdb
    label = "SQL statements per joint_inspection completion, PostgreSQL (first / countersign)"
    url = pgdb.bench_database()
    if url is None:
        return [(label, "skipped (set BENCH_POSTGRES=1; PostgreSQL must answer)", "≤ 15")]
    try:
        app = create_app(type("StatementsConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
        with app.app_context():
            Base.metadata.create_all(db.engine)
            deployments.deploy_bundled()
            load_demo()
        first, second, _ = both_signatures(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        pgdb.drop(url)
    return [(label, f"{len(first)} / {len(second)}", "≤ 15")]


if __name__ == "__main__":
    import logging
    logging.disable(logging.WARNING)
    for row in postgres_rows():
        print(" | ".join(row))
