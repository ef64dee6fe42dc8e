"""Every statement of a completion can come from SQLAlchemy's compiled cache (issue 18: CPU per completion).

A statement without a cache key (a multi-row VALUES list, a type without cache_ok) is compiled again on every
request, about a millisecond of CPU each time under the web workers. A count of such statements, not a time.
"""
from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats

from extensions import db
from services.workflow import tasks
from tests import factories

NEVER_CACHED = (CacheStats.NO_CACHE_KEY, CacheStats.CACHING_DISABLED)


def _uncached_statements(app) -> list[str]:
    """The statements of both signatures of one inspection that SQLAlchemy could not cache."""
    campaign_id, _ = factories.campaign_at(app, "drawn")
    task = factories.open_tasks(app, campaign_id, "joint_inspection")[0]
    uncached: list[str] = []

    def listen(_conn, _cursor, statement, _parameters, context, _executemany) -> None:
        if context.compiled is not None and context.cache_hit in NEVER_CACHED:
            uncached.append(" ".join(statement.split())[:160])

    for officer in task["candidates"][:2]:
        [open_task] = [t for t in factories.open_tasks(app, campaign_id, "joint_inspection")
                       if t["inspection_id"] == task["inspection_id"]]
        data = factories.inspection_data(app, open_task["id"], officer, problem=False)
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listen)
            try:
                tasks.complete(factories.user(officer), open_task["id"], data)
            finally:
                event.remove(db.engine, "before_cursor_execute", listen)
    return uncached


def test_completion_statements_are_cacheable_on_sqlite(app):
    assert _uncached_statements(app) == []


def test_completion_statements_are_cacheable_on_postgresql(pg_app):
    assert _uncached_statements(pg_app) == []
