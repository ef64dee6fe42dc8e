"""The application's one clock.

Due dates, stage durations, timers and tests all read time here, so a test or a demo
can move time forward in one place.
"""
from datetime import date, datetime, timedelta, timezone

_offset = timedelta(0)


def now() -> datetime:
    """Current time as naive UTC (the storage convention of models.base)."""
    return (datetime.now(timezone.utc) + _offset).replace(tzinfo=None)


def today() -> date:
    # Deadlines are civil dates in China (UTC+8), not UTC dates.
    return (now() + timedelta(hours=8)).date()


def advance(delta: timedelta) -> None:
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)
