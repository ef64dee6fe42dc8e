"""The HTTP layer's own database work on a completion: one pool checkout and one statement to authenticate.

Throughput on 2 cores (docs/performance.md) counts every round trip: the token, its user and roles come in
one SELECT, and after the completion's commit nothing is read back (the answer and the request log use what
the request already holds). Every statement can come from SQLAlchemy's compiled cache: one without a cache key
is compiled again on every request.
"""
import logging

from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats

from extensions import db
from tests.factories import plan_and_approve, scope
from tests.web.test_api import _token


def _recorded(app):
    with app.app_context():
        engine = db.engine
    log = []

    def statement(conn, cursor, text, params, context, executemany):
        uncacheable = context.compiled is not None and context.cache_hit is CacheStats.NO_CACHE_KEY
        log.append(("<no cache key> " if uncacheable else "") + " ".join(text.split())[:60])

    def checkout(*_):
        log.append("<checkout>")
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", checkout)
    return engine, log, lambda: (event.remove(engine, "before_cursor_execute", statement),
                                 event.remove(engine.pool, "checkout", checkout))


def test_a_completion_authenticates_in_one_statement_and_reads_nothing_back(app, caplog):
    _check(app, caplog)


def test_on_postgresql_too(pg_app, caplog):
    _check(pg_app, caplog)


def _check(app, caplog) -> None:
    s = scope(app, 2)
    plan_and_approve(app, s)
    client = app.test_client()
    headers = _token(client, "scjg_01")
    listing = client.get("/api/v1/tasks", headers=headers).get_json()  # also the token's "last used" write
    task_id = next(t["id"] for t in listing["pool"] if t["form_key"] == "initiation")
    engine, log, stop = _recorded(app)
    try:
        with caplog.at_level(logging.INFO, logger="yiye.request"):
            response = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers, json={"data": {
                "partner_department_ids": s["partners"], "matter_ids": s["matters"]}})
    finally:
        stop()
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["id"], body["status"]) == (task_id, "completed") and body["completed_at"]
    assert "Set-Cookie" not in response.headers  # a token request carries no session
    assert log.count("<checkout>") == 1, log
    assert not any(line.startswith("<no cache key>") for line in log), log
    assert sum(line.startswith("SELECT api_token") for line in log) == 1
    assert not any(line.startswith("SELECT user_account") or line.startswith("SELECT user_role") for line in log), log
    # the last statements are the completion's own writes: no SELECT after the commit
    assert not log[-1].startswith("SELECT"), log
    lines = [r for r in caplog.records if r.name == "yiye.request" and r.fields["path"].endswith("/complete")]
    assert lines and lines[-1].fields["user_id"] is not None and lines[-1].fields["status"] == 200
