"""Timers: schedule a deadline that does something when it passes, and fire due ones.

Other services `schedule()` a timer of a kind registered in services.handlers and `cancel()` it when the
work is done in time. `fire_due()` is what the worker and `flask timers run` call: each
timer is claimed and fired in its own transaction (`FOR UPDATE SKIP LOCKED` on
PostgreSQL), so with several workers each timer fires exactly once, and a worker killed
mid-batch leaves its current timer pending for the next one (the transaction rolls back).
Several workers need PostgreSQL: SQLite has no row locks, so run one worker there.

`run_until()` is `flask timers run --until`: it fires in due order and moves the app clock
to each timer's due time first, so handlers (and the timers they schedule) see that time.
"""
from datetime import datetime
from typing import Callable

from sqlalchemy import insert, select, update

from extensions import db, execute_core
from models import Notification, Timer, WorkerHeartbeat
from services.workflow import clock

HANDLERS: dict[str, Callable[[Timer], None]] = {}


class Retry(Exception):
    """Raised by a handler that lost a race (e.g. an optimistic-lock conflict): try again later."""


def schedule(kind: str, due_at: datetime, *, campaign_id: int | None = None, instance_id: int | None = None,
             task_id: int | None = None, subject_type: str | None = None, subject_id: int | None = None,
             **payload) -> Timer:
    if kind not in HANDLERS:
        raise ValueError(f"no timer handler registered for {kind!r}")
    timer = Timer(kind=kind, due_at=due_at, campaign_id=campaign_id, instance_id=instance_id, task_id=task_id,
                  subject_type=subject_type, subject_id=subject_id, payload=payload, created_at=clock.now())
    db.session.add(timer)
    return timer


def schedule_each(kind: str, rows: list[dict]) -> None:
    """`schedule` for several timers of one kind in one INSERT through Core: nobody reads the Timer objects
    back, and no Timer left in the session means the commit has nothing of them to flush. Each row has
    `due_at` and the other columns `schedule` takes."""
    if kind not in HANDLERS:
        raise ValueError(f"no timer handler registered for {kind!r}")
    if rows:
        now = clock.now()
        execute_core(_INSERT, [{"payload": {}, **row, "kind": kind, "created_at": now} for row in rows])


_INSERT = insert(Timer.__table__)  # built once: its cache key is then computed once too


def cancel(*, kind: str | None = None, subject_type: str | None = None, subject_id: int | None = None,
           task_id: int | None = None) -> None:
    """Cancel pending timers matching every given filter (within the caller's transaction)."""
    stmt = update(Timer).where(Timer.status == "pending").values(status="cancelled")
    for column, value in ((Timer.kind, kind), (Timer.subject_type, subject_type),
                          (Timer.subject_id, subject_id), (Timer.task_id, task_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    db.session.execute(stmt)


def cancel_ids(ids: list[int]) -> None:
    """Cancel these timers unless they fired meanwhile (the condition is re-checked after a row lock wait)."""
    if ids:
        db.session.execute(update(Timer).where(Timer.id.in_(ids), Timer.status == "pending")
                           .values(status="cancelled"))


def fire_due(until: datetime | None = None, limit: int | None = None, *, move_clock: bool = False) -> int:
    """Fire pending timers due by `until` (default: now). Returns how many fired (or failed).

    With `move_clock`, the app clock is first moved forward to each timer's due time.
    A timer whose handler asks to Retry stays pending but is not tried again in this call.
    """
    until = until or clock.now()
    fired, skipped = 0, []
    while limit is None or fired < limit:
        timer = _claim_next(until, skipped)
        if timer is None:
            break
        if move_clock and timer.due_at > clock.now():
            clock.advance(timer.due_at - clock.now())
        if _fire(timer):
            fired += 1
        else:
            skipped.append(timer.id)
    return fired


def run_until(until: datetime) -> int:
    """Fire everything due by `until` in due order on a moving clock, and leave the clock at `until`."""
    fired = fire_due(until, move_clock=True)
    if until > clock.now():
        clock.advance(until - clock.now())
    return fired


def _claim_next(until: datetime, skipped: list[int]) -> Timer | None:
    stmt = (select(Timer).where(Timer.status == "pending", Timer.due_at <= until)
            .order_by(Timer.due_at, Timer.id).limit(1).with_for_update(skip_locked=True))
    if skipped:
        stmt = stmt.where(Timer.id.not_in(skipped))
    return db.session.scalars(stmt).first()


def _fire(timer: Timer) -> bool:
    handler = HANDLERS.get(timer.kind)
    done = True
    try:
        if handler is None:
            raise LookupError(f"no handler for timer kind {timer.kind!r}")
        with db.session.begin_nested():
            handler(timer)
        timer.status, timer.fired_at = "fired", clock.now()
    except Retry:
        done = False  # the savepoint rolled back; committing releases the row lock for a later try
    except Exception as exc:  # a broken timer must not block the others behind it
        timer.status, timer.fired_at, timer.error = "failed", clock.now(), f"{type(exc).__name__}: {exc}"[:2000]
    db.session.commit()
    return done


def notify(message: str, kind: str, *, user_id: int | None = None, department_id: int | None = None,
           campaign_id: int | None = None, link: str | None = None) -> Notification:
    note = Notification(user_id=user_id, department_id=department_id, campaign_id=campaign_id, kind=kind,
                        message=message, link=link, created_at=clock.now())
    db.session.add(note)
    return note


def notify_lead(campaign, message: str, kind: str, link: str | None = None) -> Notification:
    """A notice to the campaign's lead department (牵头部门): the one that answers for every deadline of it."""
    return notify(message, kind, department_id=campaign.lead_department_id, campaign_id=campaign.id, link=link)


def heartbeat(worker_id: str, fired: int = 0, *, stopping: bool = False) -> WorkerHeartbeat:
    """Record that a worker is alive (each loop) or has stopped; commits."""
    now = clock.now()
    beat = db.session.get(WorkerHeartbeat, worker_id)
    if beat is None:
        beat = WorkerHeartbeat(worker_id=worker_id, started_at=now, beat_at=now, fired_total=0)
        db.session.add(beat)
    beat.beat_at, beat.fired_total = now, (beat.fired_total or 0) + fired
    if stopping:
        beat.stopped_at = now
    db.session.commit()
    return beat
