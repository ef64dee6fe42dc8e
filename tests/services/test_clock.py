"""Stored times are naive UTC; civil dates and deadlines are Beijing time (UTC+8)."""
from datetime import date, datetime

from services.workflow import clock


def test_local_date_crosses_midnight_at_16_utc():
    assert clock.local_date(datetime(2026, 11, 25, 15, 59, 59)) == date(2026, 11, 25)
    assert clock.local_date(datetime(2026, 11, 25, 16, 0, 0)) == date(2026, 11, 26)


def test_end_of_day_is_one_second_before_beijing_midnight():
    end = clock.end_of_day(date(2026, 11, 25))
    assert end == datetime(2026, 11, 25, 15, 59, 59)
    assert clock.local_date(end) == date(2026, 11, 25)
