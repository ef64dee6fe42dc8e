"""Timers in production: exactly once with several workers, nothing lost when one is killed, catch-up on start."""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Notification, Timer, WorkerHeartbeat
from services.workflow import clock
from services.workflow import timers
from tests.services import worker_app

FLASK = str(Path(sys.executable).parent / "flask")
ROOT = Path(__file__).resolve().parents[2]
FIRED: list[tuple[int, str]] = []


def _count(timer: Timer) -> None:
    FIRED.append((timer.id, threading.current_thread().name))
    timers.notify(f"counted {timer.id}", "test.count")
    time.sleep(0.002)  # widen the window in which two workers could collide


@pytest.fixture(autouse=True)
def _test_kinds(monkeypatch):
    monkeypatch.setitem(timers.HANDLERS, "test.count", _count)  # test-only kinds beside services.handlers
    monkeypatch.setitem(timers.HANDLERS, "test.sleep", worker_app.sleep_handler)


def _worker(url: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "WORKER_TEST_DATABASE_URL": url, "WORKER_IDLE_SECONDS": "0.2"}
    return subprocess.Popen([FLASK, "--app", "tests.services.worker_app:make", "worker", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _count_where(app, *criteria) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Timer).where(*criteria))


def _has_beaten(app, pid: int) -> bool:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(WorkerHeartbeat).where(
            WorkerHeartbeat.worker_id.contains(f":{pid}:"))) > 0


def test_three_worker_threads_fire_each_timer_exactly_once(pg_app):
    FIRED.clear()
    with pg_app.app_context():
        for n in range(90):
            timers.schedule("test.count", clock.now() - timedelta(minutes=n % 7), n=n)
        db.session.commit()

    def work():
        with pg_app.app_context():
            while timers.fire_due(limit=5):
                pass

    threads = [threading.Thread(target=work, name=f"worker-{i}") for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = [timer_id for timer_id, _ in FIRED]
    assert len(ids) == 90 and len(set(ids)) == 90
    assert len({name for _, name in FIRED}) == 3  # all three took part
    with pg_app.app_context():
        assert db.session.scalars(select(Timer.status).distinct()).all() == ["fired"]
        messages = db.session.scalars(select(Notification.message).where(Notification.kind == "test.count")).all()
        assert sorted(messages) == sorted(f"counted {i}" for i in ids)


def test_killed_worker_loses_nothing_and_fires_nothing_twice(pg_app):
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"]
    with pg_app.app_context():
        rows = [timers.schedule("test.sleep", clock.now() - timedelta(seconds=n), seconds=0.3) for n in range(9)]
        db.session.commit()
        ids = [row.id for row in rows]
    workers = [_worker(url) for _ in range(3)]
    try:
        # Kill one worker while it is inside a handler (its notice is written but not committed): once it has
        # started (on a busy machine the other two could fire the first timers before it is up) and timers fire.
        _wait(lambda: _has_beaten(pg_app, workers[0].pid), 60, "the first worker to start")
        _wait(lambda: _count_where(pg_app, Timer.status == "fired") >= 3, 60, "the first timers")
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(10)
        _wait(lambda: _count_where(pg_app, Timer.status == "fired") == 9, 60, "every timer to fire")
    finally:
        for worker in workers[1:]:
            worker.send_signal(signal.SIGTERM)
        outputs = [w.communicate(timeout=20)[0] for w in workers[1:]]
    assert workers[0].returncode == -signal.SIGKILL
    assert [w.returncode for w in workers[1:]] == [0, 0], outputs  # SIGTERM is a clean stop
    with pg_app.app_context():
        notes = db.session.scalars(select(Notification.message).where(Notification.kind == "test.sleep")).all()
        assert sorted(notes) == sorted(f"slept {i}" for i in ids)  # once each: the killed one rolled back
        beats = db.session.scalars(select(WorkerHeartbeat)).all()
        assert len(beats) == 3 and sum(1 for b in beats if b.stopped_at is not None) == 2
        assert sum(b.fired_total for b in beats) <= 9


def test_overdue_timers_fire_when_a_worker_starts_after_downtime(app):
    with app.app_context():
        now = clock.now()
        rows = [timers.schedule("test.sleep", now + timedelta(hours=h), seconds=0) for h in (-72, -24, -1, 1)]
        db.session.commit()
        *overdue, future = [row.id for row in rows]
        url = str(db.engine.url)
    worker = _worker(url, "--once")
    output = worker.communicate(timeout=60)[0]
    assert worker.returncode == 0, output
    assert "fired 3" in output
    with app.app_context():
        fired = db.session.scalars(select(Timer).where(Timer.status == "fired").order_by(Timer.fired_at, Timer.id)).all()
        assert [t.id for t in fired] == overdue  # oldest first
        assert db.session.get(Timer, future).status == "pending"
