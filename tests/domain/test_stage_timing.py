"""The colour rule and the precomputed working-day counter."""
from datetime import date, timedelta

from hypothesis import given, settings, strategies as st

from domain.stage_timing import WorkdayCounter, state
from domain.workdays import working_days_between


def test_state_rule():
    assert state(None, 5) == "ok" and state(3, None) == "ok"
    assert state(3, 10) == "ok"
    assert state(8, 10) == "warn"          # 80% used
    assert state(4, 5) == "warn"           # one day left
    assert state(10, 10) == "warn"         # the last day: still in time
    assert state(11, 10) == "late"         # finished after its limit
    assert state(0, 10, late=True) == "late"  # its deadline has passed


COUNTER = WorkdayCounter(date(2024, 1, 1), date(2026, 12, 31))


@settings(deadline=None, max_examples=60)  # the calendar walk it is checked against is slow by nature
@given(st.dates(date(2024, 1, 1), date(2026, 12, 31)), st.dates(date(2024, 1, 1), date(2026, 12, 31)))
def test_counter_agrees_with_the_calendar(a, b):
    assert COUNTER.between(a, b) == working_days_between(a, b)


def test_counter_honours_overrides():
    saturday = date(2026, 5, 9)  # a swapped working Saturday entered by the admin
    plain = WorkdayCounter(saturday - timedelta(days=1), saturday)
    overridden = WorkdayCounter(saturday - timedelta(days=1), saturday, {saturday: True})
    assert overridden.between(saturday - timedelta(days=1), saturday) == 1
    assert plain.between(saturday - timedelta(days=1), saturday) == int(working_days_between(
        saturday - timedelta(days=1), saturday) == 1)
