"""Timers: schedule a deadline that does something when it passes, and fire due ones.

Other services `schedule()` a timer of a registered kind and `cancel()` it when the
work is done in time. `fire_due()` is what the worker and `flask timers run` call: each
timer is claimed and fired in its own transaction (`FOR UPDATE SKIP LOCKED` on
PostgreSQL), so with several workers each timer fires exactly once, and a worker killed
mid-batch leaves its current timer pending for the next one (the transaction rolls back).
"""
from datetime import datetime
from typing import Callable

from sqlalchemy import select, update

from extensions import db
from models import Notification, Timer
from services import clock

HANDLERS: dict[str, Callable[[Timer], None]] = {}


def on_timer(kind: str):
    """Register what firing a timer of this kind does; runs inside the firing transaction."""
    def register(fn):
        HANDLERS[kind] = fn
        return fn
    return register


def schedule(kind: str, due_at: datetime, *, campaign_id: int | None = None, instance_id: int | None = None,
             task_id: int | None = None, subject_type: str | None = None, subject_id: int | None = None,
             **payload) -> Timer:
    if kind not in HANDLERS:
        raise ValueError(f"no timer handler registered for {kind!r}")
    timer = Timer(kind=kind, due_at=due_at, campaign_id=campaign_id, instance_id=instance_id, task_id=task_id,
                  subject_type=subject_type, subject_id=subject_id, payload=payload, created_at=clock.now())
    db.session.add(timer)
    return timer


def cancel(*, kind: str | None = None, subject_type: str | None = None, subject_id: int | None = None,
           task_id: int | None = None) -> None:
    """Cancel pending timers matching every given filter (within the caller's transaction)."""
    stmt = update(Timer).where(Timer.status == "pending").values(status="cancelled")
    for column, value in ((Timer.kind, kind), (Timer.subject_type, subject_type),
                          (Timer.subject_id, subject_id), (Timer.task_id, task_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    db.session.execute(stmt)


def fire_due(until: datetime | None = None, limit: int | None = None) -> int:
    """Fire pending timers due by `until` (default: now). Returns how many fired."""
    until = until or clock.now()
    fired = 0
    while limit is None or fired < limit:
        timer = _claim_next(until)
        if timer is None:
            break
        _fire(timer)
        fired += 1
    return fired


def _claim_next(until: datetime) -> Timer | None:
    stmt = (select(Timer).where(Timer.status == "pending", Timer.due_at <= until)
            .order_by(Timer.due_at, Timer.id).limit(1).with_for_update(skip_locked=True))
    return db.session.scalars(stmt).first()


def _fire(timer: Timer) -> None:
    handler = HANDLERS.get(timer.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for timer kind {timer.kind!r}")
        with db.session.begin_nested():
            handler(timer)
        timer.status, timer.fired_at = "fired", clock.now()
    except Exception as exc:  # a broken timer must not block the others behind it
        timer.status, timer.fired_at, timer.error = "failed", clock.now(), f"{type(exc).__name__}: {exc}"
    db.session.commit()


def notify(message: str, kind: str, *, user_id: int | None = None, department_id: int | None = None,
           campaign_id: int | None = None, link: str | None = None) -> Notification:
    note = Notification(user_id=user_id, department_id=department_id, campaign_id=campaign_id, kind=kind,
                        message=message, link=link, created_at=clock.now())
    db.session.add(note)
    return note
