"""Timers fire once when due, never early, not after cancel; a failing handler does not block the rest."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import Notification, Timer
from services.workflow import clock
from services.workflow import timers

FIRED: list[int] = []


def _record(timer: Timer) -> None:
    FIRED.append(timer.payload["n"])
    timers.notify(f"timer {timer.payload['n']}", "test", department_id=timer.payload.get("dept"))


def _broken(timer: Timer) -> None:
    db.session.add(Notification(kind="test", message="must be rolled back", created_at=clock.now()))
    db.session.flush()
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _clear(monkeypatch):
    FIRED.clear()
    monkeypatch.setitem(timers.HANDLERS, "test.record", _record)  # test-only kinds beside services.handlers
    monkeypatch.setitem(timers.HANDLERS, "test.broken", _broken)


def test_fires_when_due_and_only_once(app):
    with app.app_context():
        timers.schedule("test.record", clock.now() + timedelta(hours=1), n=1)
        timers.schedule("test.record", clock.now() + timedelta(days=3), n=2)
        db.session.commit()
        assert timers.fire_due() == 0
        assert timers.fire_due(clock.now() + timedelta(hours=2)) == 1
        assert timers.fire_due(clock.now() + timedelta(hours=2)) == 0
        assert FIRED == [1]
        assert timers.fire_due(clock.now() + timedelta(days=4)) == 1
        assert FIRED == [1, 2]
        states = db.session.scalars(select(Timer.status)).all()
        assert states == ["fired", "fired"]
        assert db.session.scalar(select(Notification.message).where(Notification.kind == "test")) == "timer 1"


def test_cancelled_timer_never_fires(app):
    with app.app_context():
        timers.schedule("test.record", clock.now(), subject_type="referral", subject_id=7, n=1)
        timers.schedule("test.record", clock.now(), subject_type="referral", subject_id=8, n=2)
        timers.cancel(subject_type="referral", subject_id=7)
        db.session.commit()
        assert timers.fire_due(clock.now() + timedelta(seconds=1)) == 1
        assert FIRED == [2]


def test_failing_handler_is_recorded_and_rolled_back(app):
    with app.app_context():
        timers.schedule("test.broken", clock.now())
        timers.schedule("test.record", clock.now(), n=3)
        db.session.commit()
        assert timers.fire_due(clock.now() + timedelta(seconds=1)) == 2
        broken = db.session.scalars(select(Timer).where(Timer.kind == "test.broken")).one()
        assert broken.status == "failed" and "boom" in broken.error
        assert FIRED == [3]
        messages = db.session.scalars(select(Notification.message)).all()
        assert "must be rolled back" not in messages


def test_unknown_kind_is_refused(app):
    with app.app_context():
        with pytest.raises(ValueError, match="no timer handler"):
            timers.schedule("no.such.kind", clock.now())
