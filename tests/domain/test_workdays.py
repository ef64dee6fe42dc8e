from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, strategies as st

from domain.workdays import Deadline, add_working_days, is_working_day, working_days_between

UNKNOWN_YEAR = 2031


def test_package_does_not_know_the_fallback_year():
    # Guard: if chinesecalendar gains 2031 data, the fallback tests need another year.
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(UNKNOWN_YEAR, 1, 6))


def test_spring_festival_2025_matches_package():
    assert is_working_day(date(2025, 1, 26)) == (True, True)  # swapped Sunday
    assert is_working_day(date(2025, 2, 8)) == (True, True)  # swapped Saturday
    for offset in range(8):
        day = date(2025, 1, 28) + timedelta(days=offset)
        assert is_working_day(day) == (False, True)
        assert not chinese_calendar.is_workday(day)


def test_deadline_crossing_spring_festival_2025():
    # Fri Jan 24 → Sun Jan 26 (swap), Mon Jan 27, holiday Jan 28–Feb 4, then Feb 5, 6, 7, Sat Feb 8 (swap).
    assert add_working_days(date(2025, 1, 24), 1) == Deadline(date(2025, 1, 26), False)
    assert add_working_days(date(2025, 1, 24), 2) == Deadline(date(2025, 1, 27), False)
    assert add_working_days(date(2025, 1, 24), 3) == Deadline(date(2025, 2, 5), False)
    assert add_working_days(date(2025, 1, 24), 6) == Deadline(date(2025, 2, 8), False)
    assert add_working_days(date(2025, 1, 24), 7) == Deadline(date(2025, 2, 10), False)


def test_twenty_working_days_across_spring_festival_2025():
    expected = _count_with_package(date(2025, 1, 20), 20)
    assert add_working_days(date(2025, 1, 20), 20) == Deadline(expected, False)
    # Hand count: Jan 21-24, 26, 27, Feb 5-8, 10-14, 17-21 = 20 working days.
    assert expected == date(2025, 2, 21)


def test_national_day_2024():
    assert is_working_day(date(2024, 9, 29)) == (True, True)
    assert is_working_day(date(2024, 10, 12)) == (True, True)
    assert is_working_day(date(2024, 10, 7)) == (False, True)
    # Fri Sep 27 → Sun Sep 29, Mon Sep 30, holiday Oct 1–7, Tue Oct 8.
    assert add_working_days(date(2024, 9, 27), 2).due == date(2024, 9, 30)
    assert add_working_days(date(2024, 9, 27), 3).due == date(2024, 10, 8)
    # Oct 8–11 are four days, then the swapped Saturday Oct 12.
    assert add_working_days(date(2024, 9, 30), 5).due == date(2024, 10, 12)
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 7)) == 0


def test_year_end_crossing_2025_to_2026():
    start = date(2025, 12, 26)
    expected = _count_with_package(start, 10)
    result = add_working_days(start, 10)
    assert result == Deadline(expected, False)
    assert result.due.year == 2026
    assert working_days_between(start, result.due) == 10


def test_unknown_year_falls_back_to_weekdays_and_is_provisional():
    assert is_working_day(date(UNKNOWN_YEAR, 1, 1)) == (True, False)  # Wednesday, normally a holiday
    assert is_working_day(date(UNKNOWN_YEAR, 1, 4)) == (False, False)  # Saturday
    # Fri Jan 3 2031 + 1 working day skips the weekend.
    assert add_working_days(date(UNKNOWN_YEAR, 1, 3), 1) == Deadline(date(UNKNOWN_YEAR, 1, 6), True)
    assert working_days_between(date(UNKNOWN_YEAR, 1, 1), date(UNKNOWN_YEAR, 1, 31)) == 22


def test_crossing_into_unknown_year_becomes_provisional():
    last_known = date(2026, 12, 31)
    assert add_working_days(last_known - timedelta(days=1), 1).provisional is False
    assert add_working_days(last_known, 1).provisional is True


def test_override_makes_unknown_day_a_known_holiday():
    new_year = date(UNKNOWN_YEAR, 1, 1)
    overrides = {new_year: False}
    assert is_working_day(new_year, overrides) == (False, True)
    # Dec 31 2030 is unknown too, so only the overridden Jan 1 is examined.
    assert add_working_days(date(UNKNOWN_YEAR - 1, 12, 31), 1, overrides) == Deadline(date(UNKNOWN_YEAR, 1, 2), True)
    full = {new_year: False, date(UNKNOWN_YEAR, 1, 2): True}
    assert add_working_days(date(UNKNOWN_YEAR - 1, 12, 31), 1, full) == Deadline(date(UNKNOWN_YEAR, 1, 2), False)


def test_override_beats_package():
    holiday = date(2025, 1, 28)
    assert is_working_day(holiday, {holiday: True}) == (True, True)
    assert add_working_days(date(2025, 1, 27), 1, {holiday: True}).due == holiday


def test_zero_days_returns_start():
    assert add_working_days(date(2025, 1, 28), 0) == Deadline(date(2025, 1, 28), False)
    assert add_working_days(date(UNKNOWN_YEAR, 3, 1), 0) == Deadline(date(UNKNOWN_YEAR, 3, 1), False)


def test_negative_days_rejected():
    with pytest.raises(ValueError):
        add_working_days(date(2025, 1, 1), -1)


def test_working_days_between_sign_and_bounds():
    start, end = date(2025, 1, 24), date(2025, 2, 10)
    assert working_days_between(start, end) == 7
    assert working_days_between(end, start) == -7
    assert working_days_between(start, start) == 0


@given(
    st.dates(min_value=date(2004, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=0, max_value=60),
)
def test_add_and_between_are_consistent(start, n):
    deadline = add_working_days(start, n)
    assert working_days_between(start, deadline.due) == n
    if n:
        assert is_working_day(deadline.due)[0]


def _count_with_package(start, n):
    """Independent oracle: walk the days using chinese_calendar directly."""
    day = start
    while n:
        day += timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


def test_confirmed_year_counts_weekdays_as_known():
    # An admin entered 2031's holidays and confirmed the year: plain weekdays are no longer guesses.
    overrides = {date(UNKNOWN_YEAR, 1, 1): False}
    assert is_working_day(date(UNKNOWN_YEAR, 1, 2), overrides, {UNKNOWN_YEAR}) == (True, True)
    assert is_working_day(date(UNKNOWN_YEAR, 1, 4), overrides, {UNKNOWN_YEAR}) == (False, True)
    assert add_working_days(date(UNKNOWN_YEAR - 1, 12, 31), 2, overrides, {UNKNOWN_YEAR - 1, UNKNOWN_YEAR}) == \
        Deadline(date(UNKNOWN_YEAR, 1, 3), False)


def test_twenty_working_days_across_national_day_2025():
    # 2025: Sun Sep 28 and Sat Oct 11 are swapped working days; Oct 1–8 is the holiday.
    result = add_working_days(date(2025, 9, 26), 20)
    assert result == Deadline(_count_with_package(date(2025, 9, 26), 20), False)
    # Sep 28, 29, 30, Oct 9, 10, 11, 13–17, 20–24, 27–30 = 20.
    assert result.due == date(2025, 10, 30)


# --- working_days_between honours the admin overrides ---

def test_working_days_between_honours_admin_overrides():
    # 2026-10-01..08 is the National Day holiday in the package; Saturday 2026-10-10 is a swapped working day.
    start, end = date(2026, 9, 30), date(2026, 10, 12)
    plain = working_days_between(start, end)
    assert plain == working_days_between(start, end, {})
    # An admin declares 10-09 (a Friday working day) a holiday and 10-11 (Sunday) a working day.
    overrides = {date(2026, 10, 9): False, date(2026, 10, 11): True}
    assert working_days_between(start, end, overrides) == plain
    assert working_days_between(start, end, {date(2026, 10, 9): False}) == plain - 1
    assert working_days_between(start, end, {date(2026, 10, 11): True}) == plain + 1
    assert working_days_between(end, start, {date(2026, 10, 11): True}) == -(plain + 1)
    # An override outside (start, end] changes nothing; `start` itself is not counted, `end` is.
    assert working_days_between(start, end, {start: False, date(2026, 10, 13): False}) == plain
    assert working_days_between(start, end, {end: False}) == plain - 1


def test_working_days_between_counts_the_package_calendar_exactly():
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == \
        sum(chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, 13))
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 12)) == 0


def test_negative_working_days_are_refused_with_a_message():
    with pytest.raises(ValueError, match="^n must be non-negative$"):
        add_working_days(date(2026, 10, 9), -1)
