"""What a listed task is about, in words: the enterprise or department, the campaign, the stage and how
much time is left, for every place a task is listed (inbox, campaign page, dashboard, API).

A task row carries only ids; an official tells "联合检查 #4" from "联合检查 #5" by the enterprise, so the
names are looked up here once per list (three IN queries, not one per row).
"""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from domain.workdays import working_days_between
from extensions import db
from models import CalendarOverride, Campaign, Department, Enterprise, HumanTask, Inspection, User
from services.workflow import clock

# Urgency, most pressing first: the order the inbox sorts by.
OVERDUE, URGENT, NORMAL, UNDATED = "overdue", "urgent", "normal", "undated"
_RANK = {OVERDUE: 0, URGENT: 1, NORMAL: 2, UNDATED: 3}


@dataclass(frozen=True)
class TaskView:
    task: HumanTask
    enterprise_name: str | None
    uscc_short: str | None
    department_name: str | None
    campaign_title: str | None
    campaign_code: str | None
    working_days_left: int | None   # negative once overdue; None without a due date
    urgency: str
    shared_with: int                # other named officers on the same task (a joint inspection team)
    mine: bool
    campaign_kind: str | None = None  # a kind may name a stage its own way (a targeted inspection's 分类处置)

    @property
    def overdue(self) -> bool:
        return self.urgency == OVERDUE

    @property
    def about(self) -> str:
        """The enterprise (name + short USCC) or else the department the task concerns."""
        if self.enterprise_name:
            return f"{self.enterprise_name}（{self.uscc_short}）" if self.uscc_short else self.enterprise_name
        return self.department_name or ""


def short_uscc(uscc: str | None) -> str | None:
    """The last six characters (organisation code tail + check): enough to tell namesakes apart."""
    if not uscc:
        return None
    return "…" + uscc[-6:] if len(uscc) > 6 else uscc


def urgency(due_at: datetime | None, now: datetime, days_left: int | None) -> str:
    """The dashboard's rule: overdue when the due time has passed (due_at < now); urgent within
    TASK_URGENT_WORKING_DAYS working days of it."""
    if due_at is None:
        return UNDATED
    if due_at < now:
        return OVERDUE
    if days_left is not None and days_left <= current_app.config["TASK_URGENT_WORKING_DAYS"]:
        return URGENT
    return NORMAL


def describe(tasks: list[HumanTask], user: User | None = None) -> list[TaskView]:
    """One view per task, in the order given."""
    if not tasks:
        return []
    enterprises = _enterprises({t.inspection_id for t in tasks if t.inspection_id})
    campaigns = _by_id(Campaign, {t.campaign_id for t in tasks if t.campaign_id})
    departments = _by_id(Department, {t.department_id for t in tasks if t.department_id}
                         | {c.lead_department_id for c in campaigns.values()})
    overrides = {row.day: row.working for row in db.session.scalars(select(CalendarOverride))}
    now = clock.now()
    today = clock.local_date(now)
    views = []
    for t in tasks:
        name, uscc = enterprises.get(t.inspection_id, (None, None))
        campaign = campaigns.get(t.campaign_id)
        department = departments.get(t.department_id) or (
            departments.get(campaign.lead_department_id) if campaign and not name else None)
        left = working_days_between(today, clock.local_date(t.due_at), overrides) if t.due_at else None
        candidate_ids = {c.user_id for c in t.candidates}
        mine = user is not None and (t.claimed_by_id == user.id or user.id in candidate_ids)
        views.append(TaskView(
            task=t, enterprise_name=name, uscc_short=short_uscc(uscc),
            department_name=department.name if department else None,
            campaign_title=campaign.title if campaign else None, campaign_code=campaign.code if campaign else None,
            working_days_left=left, urgency=urgency(t.due_at, now, left),
            shared_with=len(candidate_ids - ({user.id} if user else set())), mine=mine,
            campaign_kind=campaign.kind if campaign else None))
    return views


def by_urgency(views: list[TaskView]) -> list[TaskView]:
    """Overdue first, then urgent, then by due time; undated last."""
    return sorted(views, key=lambda v: (_RANK[v.urgency], v.task.due_at or datetime.max, v.task.id))


def _enterprises(inspection_ids: set[int]) -> dict[int, tuple[str, str]]:
    if not inspection_ids:
        return {}
    rows = db.session.execute(select(Inspection.id, Enterprise.name, Enterprise.uscc)
                              .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
                              .where(Inspection.id.in_(inspection_ids)))
    return {iid: (name, uscc) for iid, name, uscc in rows}


def _by_id(model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
