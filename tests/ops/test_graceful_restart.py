"""Stop and restart the production server under load without dropping a request (issue 19, item 4).

What docs/deploy.md recommends for a release and a restart: systemd socket activation
(deploy/yiye-web.socket). The listening socket belongs to systemd (here: the test), gunicorn inherits it
(LISTEN_FDS). SIGTERM to gunicorn (what `systemctl restart` sends) stops accepting and finishes the
requests in progress and those already accepted, within the grace period; connections that arrive
meanwhile wait in the socket's queue and are answered by the next gunicorn. Under a small load:
no connection reset, every request answered, every completion done once.
"""
import json
import os
import signal
import threading
import time

from sqlalchemy import func, select

from extensions import db
from models import AuditRecord, User
from tests.waiting import wait_for
from tests.concurrency.helpers import open_campaign, work_for
from tests.ops import prod_server

CLIENTS = 6


def test_sigterm_and_restart_on_the_same_socket_drop_nothing(pg_app):
    with pg_app.app_context():
        campaign_id = open_campaign(30)
        work = work_for(campaign_id, "joint_inspection")
        names = {actor_id: db.session.get(User, actor_id).username for _, actor_id, _ in work}
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
    sock = prod_server.listening_socket()
    first = prod_server.start(url, inherit_socket=sock)
    port = first.port
    tokens = {actor_id: prod_server.minted_token(pg_app, name) for actor_id, name in set(names.items())}
    queue = [(task_id, tokens[actor_id], payload) for task_id, actor_id, payload in work]
    answers, lock, stop, gap = [], threading.Lock(), threading.Event(), threading.Event()
    sent_in_gap = []
    second = None

    def client(n: int) -> None:
        while not stop.is_set():
            with lock:
                item = queue.pop() if queue else None
            if gap.is_set():  # nobody accepting: the connection waits in the socket's queue
                sent_in_gap.append(n)
            try:
                if item:
                    task_id, headers, payload = item
                    status, _, _ = prod_server.request(port, "POST", f"/api/v1/tasks/{task_id}/complete",
                                                       {"data": payload}, headers, timeout=120)
                    answers.append(("complete", task_id, status))
                else:
                    status = prod_server.request(port, "GET", "/api/v1/tasks", headers=tokens[work[n][1]],
                                                 timeout=120)[0]
                    answers.append(("list", None, status))
            except OSError as exc:  # a reset or a closed connection: what must not happen
                answers.append(("error", item[0] if item else None, type(exc).__name__))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    try:
        for thread in threads:
            thread.start()
        _wait(lambda: len(answers) >= 8, "the first answers")
        gap.set()  # from here until the next server runs, nobody accepts new connections
        os.kill(first.pid, signal.SIGTERM)  # as systemctl stop/restart does (to the main process)
        first.wait(60)
        assert first.returncode == 0
        served_by_first = len(answers)
        time.sleep(0.5)  # clients keep sending meanwhile
        second = prod_server.start(url, inherit_socket=sock)
        gap.clear()  # the restart: same socket, queue intact
        _wait(lambda: len(answers) >= served_by_first + 8, "answers from the restarted server")
    finally:
        stop.set()
        for thread in threads:
            thread.join(180)
        for server in (first, second):
            if server is not None:
                prod_server.stop(server)
        sock.close()
    assert sent_in_gap, "no request arrived while no server was running: the test proved nothing about the queue"
    errors = [a for a in answers if a[0] == "error"]
    assert not errors, errors
    assert all(status == 200 for _, _, status in answers), [a for a in answers if a[2] != 200]
    completed = [task_id for kind, task_id, _ in answers if kind == "complete"]
    assert len(completed) == len(set(completed)) > 0
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.action == "task.complete", AuditRecord.object_id.in_(completed))) == len(completed)


def _wait(condition, what: str) -> None:
    wait_for(condition, what, polls=2400)
