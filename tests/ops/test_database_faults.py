"""Connection-level database failures: 503 with Retry-After (never 500), nothing half-written, the pool and
the timer worker recover by themselves. PostgreSQL only, except the pool-exhaustion test (any database)."""
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from extensions import db
from models import AuditRecord, HumanTask, Notification, Timer
from services.workflow import clock, timers
from demo.county import DEMO_PASSWORD
from tests.concurrency.helpers import initiation_payload, open_campaign, work_for
from tests.conftest import _config_for, login
from tests.ops.tcp_proxy import Proxy
from tests.services import worker_app  # noqa: F401 - registers the "test.sleep" timer kind here too

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")


def _token(client, username: str) -> dict:
    response = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _admin_engine(app):
    """A separate engine (not the app's pool) for the 'administrator' who holds locks and kills backends."""
    return create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_backend_terminated_mid_completion_answers_503_and_the_retry_succeeds(pg_app):
    pg_app.config["DB_LOCK_TIMEOUT_MS"] = 60000  # the request must still be waiting when it is killed
    with pg_app.app_context():
        campaign_id = open_campaign(3, confirm=False)
        [(task_id, _, _)] = work_for(campaign_id, "initiation", {})
        instance_id = db.session.get(HumanTask, task_id).instance_id
        payload = initiation_payload()
        db.engine.dispose()  # new connections pick up the long lock timeout (set per connection)
    admin = _admin_engine(pg_app)
    client = pg_app.test_client()
    headers = _token(client, "scjg_01")
    with pg_app.app_context():
        audit_before = db.session.scalar(select(func.count()).select_from(AuditRecord))
    outcome = {}

    def complete():
        outcome["response"] = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": payload},
                                          headers=headers)

    with admin.connect() as holder:
        holder.execute(text("BEGIN"))
        holder.execute(text("SELECT id FROM workflow_instance WHERE id = :id FOR UPDATE"), {"id": instance_id})
        request = threading.Thread(target=complete)
        request.start()
        # The completion has written its task update and domain rows and now waits for the instance row.
        waiting = _wait(lambda: holder.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()")).scalars().all(), 30, "the completion to wait on the lock")
        with admin.connect() as dba:
            dba.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid"),
                        {"pids": waiting})
        request.join(30)
        holder.execute(text("ROLLBACK"))
    admin.dispose()
    response = outcome["response"]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.content_type == "application/problem+json"
    assert "未保存任何内容" in response.get_json()["detail"]
    with pg_app.app_context():  # nothing half-written
        assert db.session.get(HumanTask, task_id).status == "open"
        assert db.session.scalar(select(func.count()).select_from(AuditRecord)) == audit_before
    retry = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": payload}, headers=headers)
    assert retry.status_code == 200, retry.get_json()
    assert retry.get_json()["status"] == "completed"


def test_the_pool_recovers_after_every_connection_was_terminated(pg_app):
    client = pg_app.test_client()
    login(client, "scjg_01")
    assert client.get("/inbox/").status_code == 200  # the pool now holds a live connection
    admin = _admin_engine(pg_app)
    with admin.connect() as dba:
        killed = dba.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalars().all()
    admin.dispose()
    assert killed and all(killed)
    # A fail-over looks the same to the app: the next request pings, replaces the dead connection, answers.
    assert client.get("/inbox/").status_code == 200
    # (this schema is made by create_all, not Alembic: only the database check is meaningful here)
    assert client.get("/healthz?scope=app").get_json()["checks"]["database"]["status"] == "ok"


def test_an_exhausted_pool_answers_503_in_the_page_language(template_db, tmp_path):
    import shutil
    path = tmp_path / "pool.db"
    shutil.copyfile(template_db, path)
    config = type("OneConnection", (_config_for(f"sqlite:///{path}"),), {"SQLALCHEMY_ENGINE_OPTIONS": {
        "poolclass": __import__("sqlalchemy.pool", fromlist=["QueuePool"]).QueuePool,
        "pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2}})
    app = create_app(config)
    client = app.test_client()
    headers = _token(client, "scjg_01")
    with app.app_context():
        engine = db.engine
    held = engine.connect()  # someone else has the only connection (no app context stays pushed for requests)
    try:
        api = client.get("/api/v1/tasks", headers=headers)
        page = client.get("/public/", headers={"Accept-Language": "en"})
    finally:
        held.close()
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json()["title"] == "服务暂时不可用"
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "nothing of this request was saved" in page.get_data(as_text=True)
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200  # free again: served
    engine.dispose()


def test_the_timer_worker_survives_a_database_restart_and_resumes(pg_app):
    url = make_url(pg_app.config["SQLALCHEMY_DATABASE_URI"])
    proxy = Proxy(url.port or 5432, url.host or "127.0.0.1")
    proxy.up()
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    env = {**os.environ, "WORKER_TEST_DATABASE_URL": through_proxy, "WORKER_IDLE_SECONDS": "0.2"}
    worker = subprocess.Popen([FLASK, "--app", "tests.services.worker_app:make", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def fired(timer_id: int) -> bool:
        with pg_app.app_context():
            return db.session.get(Timer, timer_id).status == "fired"

    def schedule() -> int:
        with pg_app.app_context():
            timer = timers.schedule("test.sleep", clock.now() - timedelta(seconds=1), seconds=0)
            db.session.commit()
            return timer.id

    try:
        before = schedule()
        _wait(lambda: fired(before), 60, "the worker to fire a timer")
        proxy.down()  # the database "restarts": connections cut, new ones refused
        during = schedule()
        time.sleep(2)  # several worker loops meet the dead database
        assert worker.poll() is None, worker.stdout.read()
        assert not fired(during)
        proxy.up()
        _wait(lambda: fired(during), 60, "the worker to resume after the database came back")
        assert worker.poll() is None
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
        proxy.down()
    assert "database error, retrying" in output
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "test.sleep")) == 2  # each fired once
