"""kill -9 of a process in the middle of a completion: the transaction either happened or not.

A child process completes the campaign's last joint inspection (which advances the case
instance AND the campaign instance) and is frozen inside the transaction, holding the
instance row locks; it is then killed with SIGKILL. Afterwards nothing is half-advanced, the
locks are gone (the task can be completed at once), and the audit chain is intact.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from extensions import db
from models import AuditRecord, Campaign, HumanTask, Inspection, WorkflowInstance
from services import audit
from services.workflow import tasks
from models import User
from tests.waiting import wait_for
from tests.concurrency.helpers import assert_instances_consistent, open_campaign, work_for

CHILD = Path(__file__).with_name("crash_child.py")


def _snapshot(campaign_id: int) -> dict:
    db.session.expire_all()
    instances = db.session.scalars(select(WorkflowInstance).where(WorkflowInstance.campaign_id == campaign_id)
                                   .order_by(WorkflowInstance.id)).all()
    return {
        "instances": [(i.id, i.lock_version, i.state, i.status) for i in instances],
        "tasks": db.session.execute(select(HumanTask.id, HumanTask.status).where(HumanTask.campaign_id == campaign_id)
                                    .order_by(HumanTask.id)).all(),
        "inspections": db.session.execute(select(Inspection.id, Inspection.status).where(
            Inspection.campaign_id == campaign_id)).all(),
        "stage": db.session.get(Campaign, campaign_id).stage,
        "audit": db.session.scalar(select(func.count()).select_from(AuditRecord)),
    }


def _kill_mid_completion(url: str, task_id: int, actor_id: int, payload: dict, pause: str, tmp_path: Path) -> None:
    marker = tmp_path / "frozen"
    child = subprocess.Popen([sys.executable, str(CHILD), url, str(task_id), str(actor_id),
                              json.dumps(payload, default=str), pause, str(marker)],
                             cwd=CHILD.parents[2], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not marker.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"child never froze: {child.stdout.read().decode(errors='replace')[-3000:]}")
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(30) == -signal.SIGKILL


@pytest.mark.parametrize("database,pause", [("postgres", "instance"), ("sqlite", "commit")])
def test_kill_9_mid_completion_leaves_nothing_half_done(database, pause, request, tmp_path):
    app = request.getfixturevalue("pg_app" if database == "postgres" else "app")
    with app.app_context():
        campaign_id = open_campaign(1)
        [(task_id, actor_id, payload)] = work_for(campaign_id, "joint_inspection")
        before = _snapshot(campaign_id)
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()

    _kill_mid_completion(url, task_id, actor_id, payload, pause, tmp_path)

    with app.app_context():
        assert _snapshot(campaign_id) == before  # the killed transaction left no trace
        assert audit.verify().ok
        if database == "postgres":
            # The dead process's row locks went with its connection: the completion goes through at once.
            db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
        tasks.complete(db.session.get(User, actor_id), task_id, payload)
        _countersign(campaign_id)
        assert db.session.get(Campaign, campaign_id).stage == "publication"
        assert len(work_for(campaign_id, "publication_approval", {})) == 1
        assert assert_instances_consistent(campaign_id) == 2
        assert audit.verify().ok


def _http(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None, timeout=30):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    return response.status, response.read()


def test_kill_9_of_a_gunicorn_worker_mid_completion(pg_app, tmp_path):
    """A real gunicorn worker frozen just before COMMIT of an API completion is killed with SIGKILL;
    the client's connection drops, nothing was written, and the same completion then succeeds through
    the server (the other worker, or the one the master starts in place of the killed one)."""
    import socket
    import threading
    with pg_app.app_context():
        campaign_id = open_campaign(1)
        [(task_id, actor_id, payload)] = work_for(campaign_id, "joint_inspection")
        username = db.session.get(User, actor_id).username
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "tests.ops.frozen_app:create()"], cwd=CHILD.parents[2],
        env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _http(port, "GET", "/livez", timeout=2)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)
        status, body = _http(port, "POST", "/api/v1/tokens", {"username": username, "password": "demo12345"})
        auth = {"Authorization": f"Bearer {json.loads(body)['token']}"}
        with pg_app.app_context():
            before = _snapshot(campaign_id)
        marker, outcome = tmp_path / "frozen", {}

        def complete_and_freeze():
            try:
                outcome["status"] = _http(port, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": payload},
                                          {**auth, "X-Test-Freeze": str(marker)})[0]
            except OSError as exc:  # the worker died under the request: the connection drops
                outcome["status"] = type(exc).__name__
        client = threading.Thread(target=complete_and_freeze)
        client.start()
        deadline = time.monotonic() + 60
        while not marker.exists() or not marker.read_text():
            if time.monotonic() > deadline:  # a hang guard, not a duration under test
                pytest.fail("the worker never reached COMMIT")
            time.sleep(0.05)
        os.kill(int(marker.read_text()), signal.SIGKILL)
        client.join(60)
        assert outcome["status"] != 200

        with pg_app.app_context():
            assert _snapshot(campaign_id) == before
            assert audit.verify().ok
        status, body = _http(port, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": payload}, auth)
        assert status == 200, body[:500]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    with pg_app.app_context():
        _countersign(campaign_id)
        assert db.session.get(Campaign, campaign_id).stage == "publication"
        assert assert_instances_consistent(campaign_id) == 2
        assert audit.verify().ok


def _countersign(campaign_id: int) -> None:
    """Two-officer rule: the completion that survived the crash is the first signature; a second officer signs."""
    [(task_id, actor_id, payload)] = work_for(campaign_id, "joint_inspection")
    tasks.complete(db.session.get(User, actor_id), task_id, payload)


def test_kill_9_after_commit_then_retry_with_the_key_gets_the_original_result(pg_app, tmp_path):
    """The worker dies after COMMIT, before the answer: the client cannot know it went through. Its retry
    with the same Idempotency-Key gets 200 and the result recorded by the completion that committed —
    not a 409 "already done" — and the task was completed exactly once."""
    import threading
    with pg_app.app_context():
        campaign_id = open_campaign(1)
        [(task_id, actor_id, payload)] = work_for(campaign_id, "joint_inspection")
        username = db.session.get(User, actor_id).username
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
    from tests.ops import prod_server
    port = prod_server.free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "tests.ops.frozen_app:create()"], cwd=CHILD.parents[2],
        env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    server.port = port
    try:
        prod_server.wait_until_serving(server)
        headers = {**prod_server.token(port, username), "Idempotency-Key": "a3c9e0d2-retry-after-crash"}
        marker, outcome = tmp_path / "committed", {}

        def complete_and_die():
            try:
                outcome["status"] = _http(port, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": payload},
                                          {**headers, "X-Test-Freeze-After-Commit": str(marker)})[0]
            except OSError as exc:
                outcome["status"] = type(exc).__name__
        client = threading.Thread(target=complete_and_die)
        client.start()
        wait_for(lambda: marker.exists() and marker.read_text(), "the worker committed")
        os.kill(int(marker.read_text()), signal.SIGKILL)
        client.join(60)
        assert outcome["status"] != 200  # the client never got its answer

        status, body = _http(port, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": payload}, headers)
        assert status == 200, body[:500]
        result = json.loads(body)
        assert result["id"] == task_id and result["status"] == "completed"
        without_key = _http(port, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": payload},
                            {"Authorization": headers["Authorization"]})
        assert without_key[0] == 409 and json.loads(without_key[1])["completed_by"] == "you"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    with pg_app.app_context():
        from models import CompletionKey
        [row] = db.session.scalars(select(CompletionKey).where(CompletionKey.task_id == task_id)).all()
        assert row.result == result and row.user_id == actor_id
        assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.action == "task.complete", AuditRecord.object_id == task_id)) == 1
        assert audit.verify().ok
        assert assert_instances_consistent(campaign_id) == 2
