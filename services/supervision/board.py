"""The supervisor's board (督办看板): every live campaign's stages against their time limits, at a glance.

Three views over the same tables the dashboard and the review read:
- timelines: per live campaign, each stage's working days used against its SLA (domain.stage_timing's
  colour rule), the current stage's deadline (its `sla.stage` timer, the one that escalates);
- the department league: open and overdue tasks and the on-time rate this month and this year;
- trends (services.supervision.trends).

Two statements for the timelines whatever the number of campaigns (the live campaigns with their current
deadline, then every stage row of those campaigns), working days counted from one precomputed calendar.
"""
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from domain.stage_timing import WorkdayCounter, state
from extensions import db
from models import Campaign, CampaignStage, Department, Enterprise, HumanTask, Inspection, Region, Timer, User
from services.errors import Forbidden, NotFound
from services import auditor
from services.org import scope
from services.supervision import dashboard
from services.workflow import calendar, clock, sla
from services.reading import read_only

VIEW_ROLES = ("supervisor", "admin", "screen", "auditor")  # the auditor reads only (web/auditor)


def require_viewer(user: User) -> None:
    if not user.has_role(*VIEW_ROLES):
        raise Forbidden("督办看板仅供联席会办公室、管理员、纪检监察和大屏账号查看")
    auditor.require_assigned(user)


class StageBar(NamedTuple):  # a tuple: 16,000 of them for 2,000 campaigns are built per board view
    stage: str
    limit: int | None        # SLA in working days
    used: int | None         # working days spent (None: not reached, or passed without a record)
    status: str              # "done", "current" or "pending"
    state: str               # ok / warn / late (domain.stage_timing.state)


@dataclass(frozen=True)
class Timeline:
    campaign_id: int
    code: str
    title: str
    region: str
    lead_department: str
    stage: str
    stages: list[StageBar]
    due_at: datetime | None          # the current stage's deadline
    days_left: int | None            # working days to the deadline (negative: overdue by)
    state: str
    kind: str = "plan"               # the campaign's: a kind may name a stage its own way (web/filters.stage_label)


def stage_order() -> list[str]:
    return list(current_app.config["STAGE_SLA_WORKING_DAYS"])


def counter(first: date, last: date) -> WorkdayCounter:
    """Working days between any two dates of [first, last], the admin's overrides included."""
    days, years = calendar.overrides()
    return WorkdayCounter(first, last, days, years)


@read_only
def timelines(user: User, now: datetime | None = None) -> list[Timeline]:
    require_viewer(user)
    now = now or clock.now()
    live = _live_campaigns(user)
    if not live:
        return []
    spans = _stage_spans(user)
    today = clock.local_date(now)
    dates = [entered for rows in spans.values() for _, entered, _ in rows] + \
            [clock.local_date(row.due_at) for row in live if row.due_at]
    count = counter(min(dates + [today]), max(dates + [today]))
    order, limits = stage_order(), current_app.config["STAGE_SLA_WORKING_DAYS"]
    out = [_timeline(row, spans.get(row.id, []), order, limits, count, now, today) for row in live]
    rank = {"late": 0, "warn": 1, "ok": 2}
    return sorted(out, key=lambda t: (rank[t.state], t.due_at is None, t.due_at or now, t.campaign_id))


def _live_campaigns(user: User):
    lead = select(Department.name).where(Department.id == Campaign.lead_department_id).scalar_subquery()
    statement = select(Campaign.id, Campaign.code, Campaign.title, Campaign.stage, Region.name.label("region"),
                       lead.label("lead"), Timer.due_at, Campaign.kind, CampaignStage.entered_at
                       ).join(Region, Region.id == Campaign.region_id)
    return db.session.execute(
        dashboard.join_current_stage(statement)  # the dashboard's join: one deadline per campaign for both
        .where(Campaign.status == "active", scope.campaign_clause(user)).order_by(Campaign.id)).all()


def _stage_spans(user: User) -> dict[int, list[tuple[str, date, date | None]]]:
    rows = db.session.execute(
        select(CampaignStage.campaign_id, CampaignStage.stage, CampaignStage.entered_at, CampaignStage.left_at)
        .join(Campaign, Campaign.id == CampaignStage.campaign_id)
        .where(Campaign.status == "active", scope.campaign_clause(user))
        .order_by(CampaignStage.campaign_id, CampaignStage.id)).all()
    spans: dict[int, list] = {}
    offset = clock.BEIJING_OFFSET
    for campaign_id, stage, entered, left in rows:  # as Beijing dates: all the timeline needs of them
        spans.setdefault(campaign_id, []).append((stage, (entered + offset).date(),
                                                  (left + offset).date() if left else None))
    return spans


def _timeline(row, spans, order: list[str], limits: dict, count: WorkdayCounter, now: datetime,
              today: date) -> Timeline:
    used: dict[str, int] = {}
    for stage, entered, left in spans:  # a stage entered twice (a loop back) adds up
        used[stage] = used.get(stage, 0) + count.between(entered, left or today)
    position = order.index(row.stage) if row.stage in order else len(order)
    late_now = row.due_at is not None and row.due_at < now
    bars = []
    for i, stage in enumerate(order):
        status = "done" if i < position else "current" if i == position else "pending"
        spent, limit = used.get(stage), limits.get(stage)
        colour = state(spent, limit, late_now and i == position) if spent is not None else "ok"
        if status == "current" and row.kind == sla.EMERGENCY:  # on hours, as the dashboard row and the diagram
            colour = dashboard.stage_state(row.kind, stage, row.entered_at, late_now, now)
        bars.append(StageBar(stage, limit, spent, status, colour))
    days_left = None
    if row.due_at is not None:
        due_day = clock.local_date(row.due_at)
        days_left = count.between(today, due_day) if due_day >= today else -count.between(due_day, today)
    current = next((b for b in bars if b.status == "current"), None)
    overall = "late" if any(b.state == "late" for b in bars) else current.state if current else "ok"
    return Timeline(row.id, row.code, row.title, row.region, row.lead, row.stage, bars, row.due_at, days_left,
                    overall, row.kind)


@dataclass(frozen=True)
class DepartmentRow:
    department_id: int
    name: str
    open_tasks: int
    overdue_tasks: int
    month_done: int
    month_on_time: float | None   # share of tasks with a deadline completed by it, this month
    year_done: int
    year_on_time: float | None


@read_only
def league(user: User, now: datetime | None = None) -> list[DepartmentRow]:
    """Per department: open and overdue tasks, the on-time rate this month and this year; most to chase first."""
    require_viewer(user)
    now = now or clock.now()
    today = clock.local_date(now)
    month_start = start_of_day(today.replace(day=1))
    year_start = start_of_day(today.replace(month=1, day=1))
    done = and_(HumanTask.status == "completed", HumanTask.due_at.is_not(None))
    on_time = and_(done, HumanTask.completed_at <= HumanTask.due_at)

    def total(*criteria):
        return func.coalesce(func.sum(case((and_(*criteria), 1), else_=0)), 0)

    rows = db.session.execute(
        select(Department.id, Department.name,
               total(HumanTask.status == "open"),
               total(HumanTask.status == "open", HumanTask.due_at < now),
               total(done, HumanTask.completed_at >= month_start),
               total(on_time, HumanTask.completed_at >= month_start),
               total(done, HumanTask.completed_at >= year_start),
               total(on_time, HumanTask.completed_at >= year_start))
        .join(HumanTask, HumanTask.department_id == Department.id)
        .where(or_(HumanTask.status == "open", HumanTask.completed_at >= year_start),
               scope.department_clause(user, Department.id))
        .group_by(Department.id, Department.name)).all()
    out = [DepartmentRow(d, name, open_n, late_n, m_done, _share(m_ok, m_done), y_done, _share(y_ok, y_done))
           for d, name, open_n, late_n, m_done, m_ok, y_done, y_ok in rows]
    return sorted(out, key=lambda r: (-r.overdue_tasks, r.year_on_time if r.year_on_time is not None else 2,
                                      -r.open_tasks, r.department_id))


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class OverdueTask:
    task_id: int
    title: str
    campaign_id: int | None
    campaign: str
    enterprise: str | None
    due_at: datetime
    days_over: int


@read_only
def overdue_tasks(user: User, department_id: int, now: datetime | None = None) -> tuple[Department, list]:
    """A department's open tasks past their deadline, most overdue first (the league's click-through)."""
    require_viewer(user)
    department = db.session.get(Department, department_id)
    if department is None or not scope.covers_department(user, department_id):
        raise NotFound("部门不存在")
    now = now or clock.now()
    rows = db.session.execute(
        select(HumanTask.id, HumanTask.title, HumanTask.campaign_id, Campaign.code, Campaign.title,
               Enterprise.name, HumanTask.due_at)
        .outerjoin(Campaign, Campaign.id == HumanTask.campaign_id)
        .outerjoin(Inspection, Inspection.id == HumanTask.inspection_id)
        .outerjoin(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .where(HumanTask.department_id == department_id, HumanTask.status == "open", HumanTask.due_at < now)
        .order_by(HumanTask.due_at, HumanTask.id)).all()
    today = clock.local_date(now)
    if not rows:
        return department, []
    count = counter(min(clock.local_date(r.due_at) for r in rows), today)
    return department, [OverdueTask(tid, title, cid, f"{code} {ctitle}" if code else "", enterprise, due,
                                    count.between(clock.local_date(due), today))
                        for tid, title, cid, code, ctitle, enterprise, due in rows]



def start_of_day(day: date) -> datetime:
    """00:00 Beijing time of a civil date, as the naive UTC the database stores."""
    return datetime.combine(day, time()) - clock.BEIJING_OFFSET


def month_bounds(year: int) -> list[tuple[datetime, datetime]]:
    """The twelve months of a year as UTC [start, end) bounds of Beijing calendar months."""
    starts = [date(year, m, 1) for m in range(1, 13)] + [date(year + 1, 1, 1)]
    return [(start_of_day(a), start_of_day(b)) for a, b in zip(starts, starts[1:])]
