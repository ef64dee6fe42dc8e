"""Stage timing: the one rule that colours time used against a time limit, and fast working-day counts.

The supervisor's board, the dashboard and the diagram colour a stage or task the same way:
- late  (red):   past its deadline, or finished after it;
- warn  (amber): still within it, with 80% or more of the working days used, or at most one left;
- ok    (green): otherwise, or when it has no time limit.

A board of thousands of campaigns counts working days between many date pairs. `WorkdayCounter`
numbers every day of the range once (China's calendar with the admin's overrides), so each count is
two dictionary look-ups instead of a walk over the calendar.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from domain.workdays import is_working_day

WARN_SHARE = 0.8
STATES = ("ok", "warn", "late")


def state(used: int | None, limit: int | None, late: bool = False) -> str:
    """Colour of a stage or task: `used` working days of `limit`; `late` when its deadline has passed."""
    if late or (used is not None and limit is not None and used > limit):
        return "late"
    if used is None or not limit:
        return "ok"
    return "warn" if used >= limit * WARN_SHARE or limit - used <= 1 else "ok"


class WorkdayCounter:
    """Working days in (start, end] for any dates in [first, last], precomputed once."""

    def __init__(self, first: date, last: date, overrides: Mapping[date, bool] | None = None,
                 known_years: set[int] | None = None):
        self.first, self.last = first, last
        self._rank: dict[date, int] = {}
        count, day = 0, first
        while day <= last:
            count += is_working_day(day, overrides, known_years)[0]
            self._rank[day] = count
            day += timedelta(days=1)

    def between(self, start: date, end: date) -> int:
        """Count working days in (start, end]; negative when end is before start."""
        return self._rank[end] - self._rank[start]
