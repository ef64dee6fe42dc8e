"""The application's one clock.

Due dates, stage durations, timers and tests all read time here, so a test or a demo
can move time forward in one place.

Two offsets are added to real time:
- an in-process one (`advance`, `reset`): tests, and `timers run --until` catching up in one process;
- the shared one, a row in `clock_setting` that an operator sets with `flask --app app clock set`
  (services/workflow/clock_setting.py): every process — web workers, timer workers, the CLI — adds it,
  re-reading it at the start of a request or worker loop when the last read is older than
  CLOCK_REFRESH_SECONDS, so "now" moves for all of them together.
  It is read only where CLOCK_SHIFT_ALLOWED (development and tests; production only for a drill,
  CLOCK_DRILL=1): in production a row left over from a drill changes nothing.
"""
import time
from datetime import date, datetime, timedelta, timezone

from flask import current_app, has_app_context

_ZERO = timedelta(0)
_offset = _ZERO


def now() -> datetime:
    """Current time as naive UTC (the storage convention of models.base)."""
    return (datetime.now(timezone.utc) + _offset + shared_offset()).replace(tzinfo=None)


# Stored times are naive UTC; deadlines and periods are civil dates in China (UTC+8, no DST).
BEIJING_OFFSET = timedelta(hours=8)


def today() -> date:
    return local_date(now())


def to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) time as naive Beijing time, for display and civil dates."""
    return moment + BEIJING_OFFSET


def local_date(moment: datetime) -> date:
    """The Beijing civil date of a stored (naive UTC) time."""
    return to_local(moment).date()


def end_of_day(day: date) -> datetime:
    """23:59:59 Beijing time of a civil date, as the naive UTC the database stores."""
    return datetime.combine(day, datetime.max.time().replace(microsecond=0)) - BEIJING_OFFSET


def advance(delta: timedelta) -> None:
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = _ZERO


def shared_offset() -> timedelta:
    """The operator's offset as this process last read it (zero outside an app, or where shifting is not allowed).

    Reading it never touches the database: `refresh_shared` does that at safe points (the start of each web
    request, each timer-worker loop, the clock CLI), so a `now()` inside a transaction or a flush costs nothing
    and never needs a second connection.
    """
    if not has_app_context():
        return _ZERO
    app = current_app._get_current_object()  # one proxy lookup, not two: now() runs ~10 times per completion
    if not app.config.get("CLOCK_SHIFT_ALLOWED"):
        return _ZERO
    cache = app.extensions.get("shared_clock")
    return cache["offset"] if cache else _ZERO


def refresh_shared(force: bool = False) -> None:
    """Re-read the shared offset when the last read is older than CLOCK_REFRESH_SECONDS (or `force`).

    Call it where no transaction of the caller's is open: it reads through the session and rolls back
    on failure (not migrated yet, database away: the last value stays).
    """
    if not current_app.config.get("CLOCK_SHIFT_ALLOWED"):
        return
    cache = current_app.extensions.setdefault("shared_clock", {"offset": timedelta(0), "read_at": None})
    refresh = float(current_app.config.get("CLOCK_REFRESH_SECONDS", 1))
    if not force and cache["read_at"] is not None and time.monotonic() - cache["read_at"] < refresh:
        return
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from extensions import db
    from models import ClockSetting
    try:
        seconds = db.session.scalar(select(ClockSetting.offset_seconds).where(ClockSetting.id == 1))
    except SQLAlchemyError:
        db.session.rollback()
        return
    cache["offset"], cache["read_at"] = timedelta(seconds=seconds or 0), time.monotonic()


def remember_shared(offset: timedelta) -> None:
    """After this process changed the setting: use it at once, without waiting for the next read."""
    current_app.extensions["shared_clock"] = {"offset": offset, "read_at": time.monotonic()}
