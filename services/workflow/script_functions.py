"""Functions that BPMN expressions may call inside the sandbox, backed by this application's rules.

`workdays(n)`: the end (23:59:59 Beijing time) of the n-th working day from today, as an ISO 8601 string,
for working-day timers: `<bpmn:timeDate>workdays(5)</bpmn:timeDate>` (China's calendar, 调休 included,
and the application clock, so tests and demos can move time).
"""
from datetime import datetime, time, timedelta, timezone

from domain.workdays import add_working_days
from engine.sandbox import register_function
from services.workflow import clock

BEIJING = timezone(timedelta(hours=8))
MAX_WORKDAYS = 365


def workdays(n: int) -> str:
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_WORKDAYS:
        raise ValueError(f"workdays() takes a whole number of days from 0 to {MAX_WORKDAYS}")
    due = add_working_days(clock.today(), n).due
    return datetime.combine(due, time(23, 59, 59), tzinfo=BEIJING).isoformat()


def install() -> None:
    """Make these functions callable from BPMN expressions (services.handlers.install)."""
    register_function("workdays", workdays)
