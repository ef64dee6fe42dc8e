"""One campaign row held locked by another session must not stall the site (issue 19, item 1).

Against the production server (gunicorn, deploy/gunicorn.conf.py, PostgreSQL): in a window with the
lock held, completions of another campaign are served at least half as often as in the same window
without it (a count of requests, not a duration); every completion of the locked campaign answers
409 with Retry-After while the lock is still held (it gave up after the short lock timeout instead of
waiting for the lock); /livez answers throughout.
"""
import json
import threading
import time

from sqlalchemy import create_engine, text

from extensions import db
from models import User
from tests.concurrency.helpers import open_campaign, work_for
from tests.ops import prod_server

WINDOW_SECONDS = 0.5   # each window; the assertion compares counts, never times
PAIRS = 3              # unlocked and locked windows alternate, so drifting load on a shared machine hits both
LOCKED_CLIENTS = 4     # as many as one process has CPU-bound work for: with sync workers they would take all
OTHER_CLIENTS = 2
# The other clients are paced (PACE_SECONDS), so they cannot run dry within the windows: 2 clients x 7 windows
# x 0.5 s / 0.05 s = at most 140 completions, and the draw gives at least 3/4 of OTHER_TASKS (checked below).
# No more than that: each task costs the campaign's set-up and the preparation of its submission.
OTHER_TASKS = 190
PACE_SECONDS = 0.05


def _prepare(pg_app, port: int, campaign_id: int) -> list[tuple[int, dict, dict]]:
    with pg_app.app_context():
        work = work_for(campaign_id, "joint_inspection")
        names = {actor_id: db.session.get(User, actor_id).username for _, actor_id, _ in work}
    tokens = {actor_id: prod_server.minted_token(pg_app, name) for actor_id, name in set(names.items())}
    return [(task_id, tokens[actor_id], payload) for task_id, actor_id, payload in work]


def _run_window(port: int, others: list, locked: list, lock_held: threading.Event, reader=None) -> dict:
    """Clients complete the other campaign's tasks one after another; locked-campaign clients retry theirs;
    a reader reads the locked campaign."""
    stop = threading.Event()
    served, locked_answers, livez, reads = [], [], [], []
    queue_lock = threading.Lock()

    def other_client():
        while not stop.is_set():
            with queue_lock:
                if not others:
                    return
                task_id, headers, payload = others.pop()
            status, _, body = prod_server.request(port, "POST", f"/api/v1/tasks/{task_id}/complete",
                                                  {"data": payload}, headers)
            assert status == 200, body[:300]
            if not stop.is_set():
                served.append(task_id)
            stop.wait(PACE_SECONDS)  # a steady load: a fast machine would otherwise use up the tasks

    def locked_client(task_id, headers, payload):
        while not stop.is_set():
            status, response_headers, body = prod_server.request(
                port, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": payload}, headers)
            locked_answers.append((status, response_headers.get("Retry-After"), lock_held.is_set(),
                                   json.loads(body).get("detail")))

    def probe():
        while not stop.is_set():
            started = time.perf_counter()
            status = prod_server.request(port, "GET", "/livez", timeout=10)[0]
            livez.append((status, time.perf_counter() - started))
            time.sleep(0.05)

    def read_locked(path, headers):
        while not stop.is_set():
            status = prod_server.request(port, "GET", path, headers=headers)[0]
            reads.append((status, lock_held.is_set()))
            time.sleep(0.1)

    threads = [threading.Thread(target=other_client) for _ in range(OTHER_CLIENTS)]
    if reader:
        threads.append(threading.Thread(target=read_locked, args=reader))
    threads += [threading.Thread(target=locked_client, args=item) for item in locked]
    threads.append(threading.Thread(target=probe))
    for thread in threads:
        thread.start()
    time.sleep(WINDOW_SECONDS)
    stop.set()
    return {"served": served, "threads": threads, "locked": locked_answers, "livez": livez, "reads": reads}


def test_a_locked_campaign_row_does_not_stall_other_campaigns(pg_app):
    with pg_app.app_context():
        locked_campaign = open_campaign(LOCKED_CLIENTS)
        other_campaign = open_campaign(OTHER_TASKS)
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
    server = prod_server.start(url, prod_server.free_port())
    holder_engine = create_engine(url)
    try:
        port = server.port
        others = _prepare(pg_app, port, other_campaign)
        locked = _prepare(pg_app, port, locked_campaign)
        # the stratified ratios round per credit class, and enterprises under inspection in the locked campaign are
        # left out of the other's draw: the count is near OTHER_TASKS, not exact; running dry is checked below
        assert len(others) >= OTHER_TASKS * 3 // 4 and len(locked) == LOCKED_CLIENTS, (len(others), len(locked))
        never = threading.Event()
        warm_up = _run_window(port, others, [], never)  # both processes load the process specs and fill their pools
        for thread in warm_up["threads"]:
            thread.join(60)

        baselines, windows = [], []
        for _ in range(PAIRS):
            baseline = _run_window(port, others, [], never)
            for thread in baseline["threads"]:
                thread.join(60)
            baselines.append(baseline)
            held = threading.Event()
            with holder_engine.connect() as holder:
                holder.execute(text("SELECT id FROM campaign WHERE id = :id FOR UPDATE"), {"id": locked_campaign})
                held.set()
                reader = (f"/api/v1/campaigns/{locked_campaign}", locked[0][1])
                window = _run_window(port, others, locked, held, reader)
                for thread in window["threads"]:  # every request sent in the window is answered before the release
                    thread.join(60)
                held.clear()
                holder.rollback()
            windows.append(window)
    finally:
        holder_engine.dispose()
        prod_server.stop(server)
        server_log = prod_server.log_tail(server)

    assert others, "the other campaign ran out of tasks: the window counts would be capped"
    unlocked_count = sum(len(b["served"]) for b in baselines)
    locked_count = sum(len(w["served"]) for w in windows)
    baseline = {"livez": [x for b in baselines for x in b["livez"]]}
    window = {key: [x for w in windows for x in w[key]] for key in ("locked", "livez", "reads")}
    print(f"other campaign's completions served in {PAIRS} x {WINDOW_SECONDS}s: {unlocked_count} unlocked, "
          f"{locked_count} with the lock held; /livez max "
          f"{max(t for _, t in baseline['livez'] + window['livez']) * 1000:.0f} ms")
    assert unlocked_count > 0 and unlocked_count <= 2 * locked_count, server_log
    answers = window["locked"]
    assert answers and all(status == 409 and retry == "2" and while_held for status, retry, while_held, _ in answers)
    assert all("稍后重试" in detail for *_, detail in answers)
    assert all(status == 200 for status, _ in baseline["livez"] + window["livez"]) and len(window["livez"]) >= 5
    # Reads of the locked campaign itself never wait on the row lock: answered while it was held.
    assert window["reads"] and all(status == 200 and while_held for status, while_held in window["reads"])
