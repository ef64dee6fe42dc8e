"""The working-day calendar as the application uses it: chinese-calendar plus the admin's overrides."""
import time
from datetime import date, datetime

from sqlalchemy import select

from domain.workdays import Deadline, add_working_days, is_working_day
from extensions import db
from models import CalendarOverride, CalendarYear, User
from services import audit
from services.workflow import clock
from services.errors import Forbidden, ValidationFailed

# Deadlines are computed on every task created: the calendar is kept per process, database and (app) day.
# A change made here clears it at once; one made by another process is seen within CACHE_SECONDS.
CACHE_SECONDS = 60
_cache: dict = {}


def overrides() -> tuple[dict[date, bool], set[int]]:
    """The admin's day overrides and the years confirmed as fully entered."""
    return _entry()[0]


def _entry() -> tuple[tuple[dict[date, bool], set[int]], dict]:
    """The overrides, and the deadlines computed from them (what they answer is fixed with them)."""
    key = (str(db.engine.url), clock.today())
    cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    days = {row.day: row.working for row in db.session.scalars(select(CalendarOverride))}
    years = set(db.session.scalars(select(CalendarYear.year)))
    _cache.clear()  # one entry: yesterday's (or another database's) is not needed again
    _cache[key] = (time.monotonic(), ((days, years), {}))
    return _cache[key][1]


def _changed() -> None:
    _cache.clear()


def deadline(start: date, working_days: int) -> Deadline:
    """The n-th working day after start; provisional when a day in between had to be guessed. Kept with the
    overrides: every task of a day starts from the same date, and chinese_calendar's day test is slow."""
    (days, years), deadlines = _entry()
    found = deadlines.get((start, working_days))
    if found is None:
        found = deadlines[(start, working_days)] = add_working_days(start, working_days, days, years)
    return found


def working_deadline(start: datetime, working_days: int) -> datetime:
    """End of the n-th working day after `start`'s Beijing date: when a task or stage SLA runs out."""
    return clock.end_of_day(deadline(clock.local_date(start), working_days).due)


def working_day(day: date) -> tuple[bool, bool]:
    days, years = overrides()
    return is_working_day(day, days, years)


def overrides_list(year: int | None = None) -> list[CalendarOverride]:
    stmt = select(CalendarOverride).order_by(CalendarOverride.day)
    if year:
        stmt = stmt.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    return list(db.session.scalars(stmt))


def confirmed_years() -> list[int]:
    return sorted(db.session.scalars(select(CalendarYear.year)))


def maintenance_view(actor: User, year: int) -> dict:
    """The calendar page: the year's overrides, the years confirmed by hand, and whether chinese-calendar knows
    the year (a day in June is asked; a year out of 2000–2100 asks about today)."""
    _require_admin(actor)
    probe = date(year, 6, 1) if 2000 <= year <= 2100 else clock.today()
    return {"overrides": overrides_list(year), "confirmed": confirmed_years(), "known": working_day(probe)[1]}


def _require_admin(actor: User) -> None:
    if not actor.has_role("admin", "supervisor"):
        raise Forbidden("只有管理员可以维护工作日历")


def set_override(actor: User, day: date, working: bool, note: str | None) -> CalendarOverride:
    _require_admin(actor)
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise ValidationFailed({"day": ["日期超出范围"]})
    row = db.session.get(CalendarOverride, day) or CalendarOverride(day=day)
    row.working, row.note, row.updated_by_id, row.updated_at = working, (note or "")[:100] or None, actor.id, clock.now()
    db.session.add(row)
    audit.record(actor, "calendar.override", "calendar_override", int(day.strftime("%Y%m%d")), day=day.isoformat(), working=working,
                 note=row.note)
    db.session.commit()
    _changed()
    return row


def delete_override(actor: User, day: date) -> None:
    _require_admin(actor)
    row = db.session.get(CalendarOverride, day)
    if row is not None:
        db.session.delete(row)
        audit.record(actor, "calendar.override_delete", "calendar_override", int(day.strftime("%Y%m%d")), day=day.isoformat())
        db.session.commit()
        _changed()


def confirm_year(actor: User, year: int, confirmed: bool = True) -> None:
    """Mark a year's holidays as fully entered (or withdraw that), ending provisional deadlines in it."""
    _require_admin(actor)
    if not 2000 <= year <= 2100:
        raise ValidationFailed({"year": ["年份超出范围"]})
    row = db.session.get(CalendarYear, year)
    if confirmed and row is None:
        db.session.add(CalendarYear(year=year, confirmed_by_id=actor.id, confirmed_at=clock.now()))
    elif not confirmed and row is not None:
        db.session.delete(row)
    audit.record(actor, "calendar.confirm_year", "calendar_year", year, confirmed=confirmed)
    db.session.commit()
    _changed()

