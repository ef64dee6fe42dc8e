"""The application's one clock.

Due dates, stage durations, timers and tests all read time here, so a test or a demo
can move time forward in one place.
"""
from datetime import date, datetime, timedelta, timezone

_offset = timedelta(0)


def now() -> datetime:
    """Current time as naive UTC (the storage convention of models.base)."""
    return (datetime.now(timezone.utc) + _offset).replace(tzinfo=None)


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
    _offset = timedelta(0)
