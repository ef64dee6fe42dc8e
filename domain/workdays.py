"""China's official working-day calendar for statutory deadlines.

Statutory periods such as "publish within 20 working days" skip public
holidays and count the swapped weekend days (调休) as working days. The
`chinese_calendar` package knows the State Council schedule only for the
years it ships with; for other years we fall back to Monday-Friday and mark
the answer provisional so callers can warn the user instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

Overrides = Mapping[date, bool] | None
KnownYears = frozenset[int] | set[int] | None

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool


def is_working_day(day: date, overrides: Overrides = None, known_years: KnownYears = None) -> tuple[bool, bool]:
    """Return (is_working, known); known is False when we had to guess Mon-Fri.

    known_years: years an admin has confirmed as fully entered in the overrides, so a
    plain weekday in them is a real answer, not a guess.
    """
    # Admin-maintained overrides win: they exist precisely to correct or extend the package.
    if overrides and day in overrides:
        return bool(overrides[day]), True
    if known_years and day.year in known_years:
        return day.weekday() < 5, True
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: date, n: int, overrides: Overrides = None, known_years: KnownYears = None) -> Deadline:
    """Return the n-th working day after start (start itself is not counted)."""
    if n < 0:
        raise ValueError("n must be non-negative")
    day, remaining, provisional = start, n, False
    while remaining > 0:
        day += _ONE_DAY
        working, known = is_working_day(day, overrides, known_years)
        provisional = provisional or not known
        remaining -= working
    return Deadline(due=day, provisional=provisional)


def working_days_between(start: date, end: date, overrides: Overrides = None) -> int:
    """Count working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start, overrides)
    count, day = 0, start
    while day < end:
        day += _ONE_DAY
        count += is_working_day(day, overrides)[0]
    return count
