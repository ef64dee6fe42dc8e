"""The supervisor's dashboard: every live campaign's stage against its SLA, in one query.

One SELECT (current stage by join, its SLA timer by join, task counts and the next timer
as indexed correlated subqueries, the total by a window function) pages through 10,000
live campaigns; bench/dashboard.py keeps it under 200 ms. The stage's due date is the
due time of its `sla.stage` timer, so the page shows exactly the deadline that escalates.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, case, exists, func, or_, select, text
from sqlalchemy.orm import aliased

from domain import stage_timing
from domain.workdays import working_days_between
from extensions import db
from models import (Campaign, CampaignDepartment, CampaignStage, Department, HumanTask, Industry, Inspection, Region,
                    Timer, User)
from services import auditor
from services.org import scope
from services.workflow import clock
from services.workflow import escalations
from services.workflow import sla
from services.workflow import task_views
from services.errors import Forbidden
from services.reading import read_only

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    region_id: int | None = None
    department_id: int | None = None
    industry_id: int | None = None
    stage: str | None = None
    overdue_only: bool = False
    page: int = 1
    campaign_id: int | None = None


@dataclass(frozen=True)
class Row:
    campaign_id: int
    code: str
    title: str
    region: str
    industry: str
    lead_department: str
    stage: str
    entered_at: datetime | None
    stage_due: datetime | None
    sla_days: int | None
    days_in_stage: int | None
    open_tasks: int
    overdue_tasks: int
    overdue_publications: int
    next_timer_due: datetime | None
    overdue: bool            # late for any reason: the stage's SLA, an open task or a publication
    stage_late: bool = False  # the stage's own deadline has passed (only then is that deadline red)
    kind: str = "plan"
    sla_hours: int | None = None  # an emergency action's stage SLA (services/workflow/sla.py), instead of days
    hours_in_stage: int | None = None  # shown beside sla_hours
    state: str = "ok"        # ok / warn / late: domain.stage_timing.state, the board's and the diagram's rule


@dataclass
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int
    filters: Filters
    now: datetime = field(default_factory=clock.now)
    overdue_tasks: list = field(default_factory=list)  # task_views.TaskView, most overdue first


def require_supervisor(user: User) -> None:
    """Supervisors and admins work from it; the read-only auditor (纪检监察) watches it, within its regions like
    every viewer (scope.campaign_clause), every view audited (web/auditor guards its reads and refuses writes)."""
    if not user.has_role("supervisor", "admin", "auditor"):
        raise Forbidden("督办看板仅供联席会办公室、管理员和纪检监察（审计）人员查看")
    auditor.require_assigned(user)


def join_current_stage(statement, stage=CampaignStage, sla=Timer):
    """Each campaign's current stage row and its `sla.stage` timer (the deadline that escalates), outer-joined.

    The one join the dashboard and the board (services/supervision/board.py) both read a stage's deadline
    through, so the two never disagree on which deadline a campaign is held to.
    """
    return (statement.outerjoin(stage, and_(stage.campaign_id == Campaign.id, stage.left_at.is_(None)))
            .outerjoin(sla, and_(sla.subject_type == escalations.STAGE_SUBJECT, sla.subject_id == stage.id,
                                 sla.kind == escalations.STAGE_KIND, sla.status != "cancelled")))


def query(filters: Filters, now: datetime, page_size: int = PAGE_SIZE, within=None):
    """The dashboard's one statement (public so the bench times exactly what the page runs).

    An inner SELECT filters, orders and pages the live campaigns on indexed columns only; the
    outer one adds names and the per-campaign task and timer figures for the page's rows alone
    (SQLite would otherwise evaluate those subqueries for every live campaign before sorting).
    `within` is the viewer's scope (services/org/scope.campaign_clause): a county sees its campaigns, a city
    or a province its whole subtree rolled up.
    """
    stage = aliased(CampaignStage)
    sla = aliased(Timer)
    # Selecting an indexed column (not *) keeps the lookup inside the covering index on SQLite.
    overdue_task = select(HumanTask.campaign_id).where(HumanTask.campaign_id == Campaign.id,
                                                       HumanTask.status == "open", HumanTask.due_at < now).exists()
    # A final result not published by its deadline (公示期限) makes the campaign late too.
    today = clock.local_date(now)
    unpublished = select(Inspection.campaign_id).where(
        Inspection.campaign_id == Campaign.id, Inspection.status == "submitted", Inspection.published_at.is_(None),
        Inspection.publication_due < today).exists()
    late = or_(sla.due_at < now, overdue_task, unpublished)
    rank = case((late, 0), else_=1).label("rank")  # ordered by its label, so computed once per row
    page = (
        join_current_stage(select(Campaign.id.label("id"), stage.entered_at.label("entered_at"),
                                  sla.due_at.label("stage_due"), rank, func.count().over().label("total")), stage, sla)
        .where(Campaign.status == "active")
        .order_by(rank, sla.due_at.is_(None), sla.due_at, Campaign.id)
        .limit(page_size).offset((max(filters.page, 1) - 1) * page_size)
    )
    if within is not None:
        page = page.where(within)
    if filters.campaign_id:
        page = page.where(Campaign.id == filters.campaign_id)
    if filters.region_id:
        page = page.where(Campaign.region_id == filters.region_id)
    if filters.industry_id:
        page = page.where(Campaign.industry_id == filters.industry_id)
    if filters.stage:
        page = page.where(Campaign.stage == filters.stage)
    if filters.department_id:
        page = page.where(exists().where(CampaignDepartment.campaign_id == Campaign.id,
                                         CampaignDepartment.department_id == filters.department_id,
                                         CampaignDepartment.status != "declined"))
    if filters.overdue_only:
        page = page.where(late)
    page = page.subquery("page")

    def per_campaign(*criteria, of=HumanTask, value=func.count()):
        return select(value).where(of.campaign_id == page.c.id, *criteria).correlate(page).scalar_subquery()

    lead = aliased(Department)
    return (
        select(Campaign.id, Campaign.code, Campaign.title, Region.name, Industry.name, lead.name, Campaign.stage,
               Campaign.kind, page.c.entered_at, page.c.stage_due,
               per_campaign(HumanTask.status == "open"),
               per_campaign(HumanTask.status == "open", HumanTask.due_at < now),
               per_campaign(Inspection.status == "submitted", Inspection.published_at.is_(None),
                            Inspection.publication_due < today, of=Inspection),
               per_campaign(Timer.status == "pending", of=Timer, value=func.min(Timer.due_at)),
               page.c.rank == 0, page.c.total)
        .select_from(page)
        .join(Campaign, Campaign.id == page.c.id)
        .join(Region, Region.id == Campaign.region_id)
        .join(Industry, Industry.id == Campaign.industry_id)
        .join(lead, lead.id == Campaign.lead_department_id)
        .order_by(page.c.rank, page.c.stage_due.is_(None), page.c.stage_due, page.c.id)
    )


@read_only
def live_campaigns(user: User, filters: Filters, page_size: int = PAGE_SIZE) -> Page:
    require_supervisor(user)
    now = clock.now()
    if db.engine.dialect.name == "postgresql":
        # The planner prices the per-row subqueries over all live campaigns and turns JIT on: measured
        # 80 ms of compiling for a 70 ms query. SET LOCAL ends with this read-only transaction.
        db.session.execute(text("SET LOCAL jit = off"))
    result = db.session.execute(query(filters, now, page_size, within=scope.campaign_clause(user))).all()
    total = result[0][-1] if result else 0
    today = clock.local_date(now)
    rows = []
    hours = current_app.config["EMERGENCY_SLA_HOURS"]
    for (cid, code, title, region, industry, lead, stage, kind, entered, due, open_n, overdue_n, unpublished_n, next_due,
         late, _total) in result:
        used, limit = _days_in_stage(entered, today), escalations.stage_sla_days(stage)
        sla_hours = hours.get(stage) if kind == sla.EMERGENCY else None  # an emergency action runs on hours
        hours_in = int((now - entered).total_seconds() // 3600) if entered else None
        rows.append(Row(
            campaign_id=cid, code=code, title=title, region=region, industry=industry, lead_department=lead,
            stage=stage, entered_at=entered, stage_due=due, sla_days=limit, days_in_stage=used,
            open_tasks=open_n or 0, overdue_tasks=overdue_n or 0, overdue_publications=unpublished_n or 0,
            next_timer_due=next_due, overdue=bool(late), stage_late=due is not None and due < now,
            kind=kind, sla_hours=sla_hours, hours_in_stage=hours_in,
            state=stage_state(kind, stage, entered, bool(late), now)))
    return Page(rows, total, max(filters.page, 1), max(1, -(-total // page_size)), filters, now,
                overdue_tasks=_overdue_tasks(now))


def _days_in_stage(entered: datetime | None, today) -> int | None:
    return working_days_between(clock.local_date(entered), today) if entered else None


def campaign_state(campaign_id: int) -> str:
    """The dashboard row's colour for one campaign (domain.stage_timing.state: late when its stage SLA passed,
    an open task is overdue or a result is not published by its deadline; amber near the limit), so the
    campaign diagram colours exactly as the dashboard row does."""
    now = clock.now()
    row = db.session.execute(query(Filters(campaign_id=campaign_id), now, page_size=1)).first()
    if row is None:
        return "ok"
    stage, kind, entered, late = row[6], row[7], row[8], row[-2]  # query()'s columns: …, stage, kind, entered_at, …
    return stage_state(kind, stage, entered, bool(late), now)


def stage_state(kind: str, stage: str, entered: datetime | None, late: bool, now: datetime) -> str:
    """A stage's colour: hours used of its hours in an emergency action (services/workflow/sla.py), else
    working days used of its working days — one rule for the dashboard row, the campaign diagram and the
    board's current stage."""
    sla_hours = current_app.config["EMERGENCY_SLA_HOURS"].get(stage) if kind == sla.EMERGENCY else None
    if sla_hours:
        return stage_timing.state(int((now - entered).total_seconds() // 3600) if entered else None, sla_hours,
                                  late=late)
    return stage_timing.state(_days_in_stage(entered, clock.local_date(now)), escalations.stage_sla_days(stage),
                              late=late)


def is_late(campaign_id: int) -> bool:
    return campaign_state(campaign_id) == "late"


OVERDUE_TASKS_SHOWN = 20


def _overdue_tasks(now: datetime) -> list:
    """The open tasks past their due time (the same rule as the per-campaign count), oldest deadline first."""
    late = db.session.scalars(select(HumanTask).join(Campaign, Campaign.id == HumanTask.campaign_id).where(
        HumanTask.status == "open", HumanTask.due_at < now, Campaign.status == "active")
        .order_by(HumanTask.due_at, HumanTask.id).limit(OVERDUE_TASKS_SHOWN)).all()
    return task_views.describe(list(late))


@read_only
def filter_choices(user: User) -> dict[str, list]:
    """Regions, departments, industries and stages for the filter form (regions and departments of the scope)."""
    return {
        "regions": db.session.execute(select(Region.id, Region.name).where(scope.clause(user, Region.id))
                                      .order_by(Region.code)).all(),
        "departments": db.session.execute(select(Department.id, Department.name)
                                          .where(scope.clause(user, Department.region_id))
                                          .order_by(Department.code)).all(),
        "industries": db.session.execute(select(Industry.id, Industry.name).order_by(Industry.code)).all(),
        "stages": [s for s in current_app.config["STAGE_SLA_WORKING_DAYS"]],
    }
