"""Monthly trends for the board: this year against last year, by the measures the seeds judge the reform by.

- on-time rate: tasks with a deadline completed by it, by month of completion;
- publication on time: results published (公示) by their working-day deadline, by month of publication;
- follow-ups closed, by month of closing;
- visits saved (进一次门): per submitted inspection, the departments that would each have visited
  separately, less the one joint visit (the review's own measure), by month of submission.
Months are Beijing calendar months. Counts come from grouped queries over the two years only.
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, distinct, func, select, true

from extensions import db
from models import Campaign, FollowUp, HumanTask, Inspection, InspectionOfficer, User
from services.org import scope
from services.supervision.board import month_bounds, require_viewer, start_of_day
from services.workflow import clock
from services.reading import read_only

MEASURES = ("on_time", "published_on_time", "follow_ups_closed", "visits_saved")
RATES = ("on_time", "published_on_time")


@dataclass(frozen=True)
class Series:
    measure: str
    this_year: list[float | int | None]   # 12 months; None for a rate with nothing to rate
    last_year: list[float | int | None]
    this_total: float | int | None        # the year so far
    last_total: float | int | None        # the same months of last year


@dataclass(frozen=True)
class Trends:
    year: int
    months: int                            # months of this year so far (1..12)
    series: list[Series]


@read_only
def trends(user: User, now: datetime | None = None) -> Trends:
    require_viewer(user)
    now = now or clock.now()
    year = clock.local_date(now).year
    months = clock.local_date(now).month
    this, last = month_bounds(year), month_bounds(year - 1)
    series = [
        _rate("on_time", *_task_counts(user, this), *_task_counts(user, last), months),
        _rate("published_on_time", *_publication_counts(user, year), *_publication_counts(user, year - 1), months),
        _count("follow_ups_closed", _closed_follow_ups(user, this), _closed_follow_ups(user, last), months),
        _count("visits_saved", _visits_saved(user, year), _visits_saved(user, year - 1), months),
    ]
    return Trends(year, months, series)


def _monthly_sums(column, bounds, *flags):
    """One SELECT of per-month sums: for each month, the rows whose `column` falls in it (and each flag)."""
    parts = []
    for start, end in bounds:
        in_month = and_(column >= start, column < end)
        parts.append(func.coalesce(func.sum(case((in_month, 1), else_=0)), 0))
        parts += [func.coalesce(func.sum(case((and_(in_month, flag), 1), else_=0)), 0) for flag in flags]
    return parts


def _task_counts(user: User, bounds) -> tuple[list[int], list[int]]:
    row = db.session.execute(
        select(*_monthly_sums(HumanTask.completed_at, bounds, HumanTask.completed_at <= HumanTask.due_at))
        .where(HumanTask.status == "completed", HumanTask.due_at.is_not(None),
               HumanTask.completed_at >= bounds[0][0], HumanTask.completed_at < bounds[-1][1],
               _in_scope(user, HumanTask.campaign_id))).one()
    return list(row[0::2]), list(row[1::2])


def _publication_counts(user: User, year: int) -> tuple[list[int], list[int]]:
    done, on_time = [0] * 12, [0] * 12
    for published_at, due in db.session.execute(
            select(Inspection.published_at, Inspection.publication_due)
            .where(Inspection.published_at >= start_of_day(date(year, 1, 1)),
                   Inspection.published_at < start_of_day(date(year + 1, 1, 1)),
                   _in_scope(user, Inspection.campaign_id))):
        day = clock.local_date(published_at)
        done[day.month - 1] += 1
        on_time[day.month - 1] += int(due is not None and day <= due)
    return done, on_time


def _closed_follow_ups(user: User, bounds) -> list[int]:
    row = db.session.execute(select(*_monthly_sums(FollowUp.closed_at, bounds))
                             .where(FollowUp.closed_at >= bounds[0][0], FollowUp.closed_at < bounds[-1][1],
                                    _in_scope(user, FollowUp.campaign_id))).one()
    return list(row)


def _visits_saved(user: User, year: int) -> list[int]:
    saved = [0] * 12
    departments = (select(InspectionOfficer.inspection_id, func.count(distinct(InspectionOfficer.department_id))
                          .label("n")).group_by(InspectionOfficer.inspection_id).subquery())
    for submitted_at, n in db.session.execute(
            select(Inspection.submitted_at, departments.c.n)
            .join(departments, departments.c.inspection_id == Inspection.id)
            .where(Inspection.status == "submitted",
                   Inspection.submitted_at >= start_of_day(date(year, 1, 1)),
                   Inspection.submitted_at < start_of_day(date(year + 1, 1, 1)),
                   _in_scope(user, Inspection.campaign_id))):
        saved[clock.local_date(submitted_at).month - 1] += max(n - 1, 0)
    return saved


def _in_scope(user: User, campaign_column):
    """Rows of campaigns in the viewer's region subtree (services/org/scope.py); everything platform-wide."""
    if scope.is_platform_wide(user):
        return true()
    return campaign_column.in_(select(Campaign.id).where(scope.campaign_clause(user)))


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _rate(measure, done, ok, done_before, ok_before, months) -> Series:
    return Series(measure, [_pct(o, d) for o, d in zip(ok, done)], [_pct(o, d) for o, d in zip(ok_before, done_before)],
                  _pct(sum(ok[:months]), sum(done[:months])), _pct(sum(ok_before[:months]), sum(done_before[:months])))


def _count(measure, this, before, months) -> Series:
    return Series(measure, this, before, sum(this[:months]), sum(before[:months]))

