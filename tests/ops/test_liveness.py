"""Liveness from the gunicorn master (web/ops/liveness.py, LIVEZ_BIND): answered while every worker is busy.

The app's /livez is served by a worker and queues behind its busy threads; the master's answers from a
thread of its own. Shown by order, not by time: with the only worker thread held on a locked row (a lock
timeout far longer than the test), the master's /livez answers 200 while the app's /livez is still waiting.
"""
import http.client
import json
import threading
import time

from sqlalchemy import create_engine, text

from extensions import db
from tests.concurrency.helpers import open_campaign
from tests.ops import prod_server
from tests.ops.test_locked_campaign import _prepare
from web.ops import liveness


def _get(port: int, path: str = "/livez", timeout: float = 30) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_live_while_a_worker_heartbeat_is_fresh_and_not_after():
    beats = {"worker": time.monotonic()}
    server = liveness.start("127.0.0.1:0", lambda: beats.values(), max_age=30)
    port = server.server_address[1]
    try:
        assert _get(port) == (200, {"status": "ok", "workers": 1})
        beats["worker"] -= 31  # no heartbeat for longer than the gunicorn timeout: stuck or gone
        assert _get(port) == (503, {"status": "fail", "workers": 0})
        beats["other"] = time.monotonic()  # one healthy worker is enough
        assert _get(port)[0] == 200
        assert _get(port, "/healthz")[0] == 404
    finally:
        server.shutdown()
        server.server_close()


def test_fresh_workers_counts_a_heartbeat_exactly_at_the_limit():
    assert liveness.fresh_workers([70.0, 69.0, 100.0], max_age=30, now=100.0) == 2
    assert liveness.parse_bind(":8001") == ("127.0.0.1", 8001)
    assert liveness.parse_bind("0.0.0.0:9") == ("0.0.0.0", 9)


def test_master_livez_answers_while_the_only_worker_thread_waits_on_a_lock(pg_app):
    with pg_app.app_context():
        campaign_id = open_campaign(1)
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
    livez_port = prod_server.free_port()
    server = prod_server.start(url, prod_server.free_port(), extra_args=["-k", "sync", "--threads", "1"],
                               WEB_CONCURRENCY="1", LIVEZ_BIND=f"127.0.0.1:{livez_port}",
                               DB_LOCK_TIMEOUT_MS="120000")
    holder_engine = create_engine(url)
    answers: dict = {}
    try:
        ((task_id, headers, payload),) = _prepare(pg_app, server.port, campaign_id)
        with holder_engine.connect() as holder:
            holder.execute(text("SELECT id FROM campaign WHERE id = :id FOR UPDATE"), {"id": campaign_id})

            def blocked_completion():
                answers["completion"] = prod_server.request(server.port, "POST", f"/api/v1/tasks/{task_id}/complete",
                                                            {"data": payload}, headers, 180)[0]

            def app_livez():
                answers["app livez"] = _get(server.port, timeout=180)[0]

            completion = threading.Thread(target=blocked_completion)
            completion.start()
            _wait_for_lock_waiter(holder_engine, completion, answers)
            queued = threading.Thread(target=app_livez)
            queued.start()
            master = _get(livez_port)
            still_queued = queued.is_alive() and completion.is_alive()
            holder.rollback()
        completion.join(180)
        queued.join(180)
    finally:
        holder_engine.dispose()
        prod_server.stop(server)
    assert master == (200, {"status": "ok", "workers": 1}), prod_server.log_tail(server)
    assert still_queued  # the app's own /livez was waiting behind the busy worker when the master answered
    assert answers == {"completion": 200, "app livez": 200}


def _wait_for_lock_waiter(engine, completion: threading.Thread, answers: dict, attempts: int = 600) -> None:
    """Until the worker's transaction waits on the campaign row lock (pg_stat_activity), i.e. it is busy."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
    with engine.connect() as watcher:
        for _ in range(attempts):
            if watcher.execute(query).scalar():
                return
            watcher.rollback()  # pg_stat_activity is a snapshot per transaction
            assert completion.is_alive(), f"the completion answered without waiting: {answers}"
            time.sleep(0.1)
    raise AssertionError("the completion never waited on the lock")
