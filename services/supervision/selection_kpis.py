"""How inspections were chosen, as the performance review and the dashboard show it.

- 信用风险分类抽查占比: of the randomly drawn inspections (抽查户次), the share whose draw used the credit-risk
  classes (mode "stratified"), against the goal CREDIT_DRAW_SHARE_GOAL (80%, 蕲春's rule). Targeted inspections
  (complaints: `selection = "targeted"`) are not random and are left out of it; they are counted apart.
- joint vs single-department: an inspection is joint when more than one department of its campaign took part.
Counted per lead department and per region of the campaigns of the viewer's region created in the period.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from extensions import db
from models import Campaign, CampaignDepartment, Department, Draw, Inspection, Region, User
from services.errors import Forbidden
from services.org import scope
from services.workflow import clock
from services.reading import read_only


@dataclass
class Figures:
    random: int = 0          # inspections of enterprises drawn at random
    credit_based: int = 0    # … of which by a draw on credit-risk classes
    targeted: int = 0        # non-random inspections (complaints): outside the share
    joint: int = 0
    single: int = 0
    goal: float = 80.0
    credit_pct: float | None = field(default=None)
    joint_pct: float | None = field(default=None)

    @property
    def meets_goal(self) -> bool | None:
        return None if self.credit_pct is None else self.credit_pct >= self.goal

    def finish(self) -> "Figures":
        self.credit_pct = pct(self.credit_based, self.random)
        self.joint_pct = pct(self.joint, self.joint + self.single)
        return self


@dataclass
class SelectionKpis:
    totals: Figures
    departments: list[tuple[Department, Figures]]
    regions: list[tuple[Region, Figures]]


@read_only
def selection_kpis(user: User, start: date, end: date, department_id: int | None = None) -> SelectionKpis:
    # the auditor (纪检监察) reads the dashboard's figures too, within its regions (scope.clause below)
    if not user.has_role("supervisor", "admin", "auditor"):
        raise Forbidden("绩效考核仅限联席会办公室查看")
    goal = float(current_app.config["CREDIT_DRAW_SHARE_GOAL"])
    campaigns = {c.id: c for c in _campaigns_in(start, end, department_id, user)}
    totals, by_department, by_region = Figures(goal=goal), defaultdict(lambda: Figures(goal=goal)), \
        defaultdict(lambda: Figures(goal=goal))
    if campaigns:
        ids = sorted(campaigns)
        modes = _draw_modes(ids)
        joint = _joint_campaigns(ids)
        for campaign_id, selection, count in db.session.execute(
                select(Inspection.campaign_id, Inspection.selection, func.count()).where(Inspection.campaign_id.in_(ids))
                .group_by(Inspection.campaign_id, Inspection.selection)).all():
            campaign = campaigns[campaign_id]
            for figures in (totals, by_department[campaign.lead_department_id], by_region[campaign.region_id]):
                _count(figures, selection, modes.get(campaign_id), campaign_id in joint, count)
    departments = {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(list(by_department))))}
    regions = {r.id: r for r in db.session.scalars(select(Region).where(Region.id.in_(list(by_region))))}
    return SelectionKpis(
        totals.finish(),
        [(departments[d], f.finish()) for d, f in sorted(by_department.items()) if scope.covers(user, departments[d].region_id)],
        [(regions[r], f.finish()) for r, f in sorted(by_region.items())])


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _campaigns_in(start: date, end: date, department_id: int | None, user: User) -> list[Campaign]:
    """The review's campaigns: created in the period (Beijing dates), of the user's subtree, not rejected."""
    lo = datetime.combine(start, datetime.min.time()) - clock.BEIJING_OFFSET
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time()) - clock.BEIJING_OFFSET
    query = select(Campaign).where(Campaign.created_at >= lo, Campaign.created_at < hi, Campaign.status != "rejected",
                                   scope.clause(user, Campaign.region_id))
    if department_id is not None:
        query = query.where(Campaign.departments.any(CampaignDepartment.department_id == department_id))
    return list(db.session.scalars(query))


def _count(figures: Figures, selection: str, mode: str | None, joint: bool, count: int) -> None:
    if selection == "targeted":
        figures.targeted += count
    else:
        figures.random += count
        if mode == "stratified":
            figures.credit_based += count
    if joint:
        figures.joint += count
    else:
        figures.single += count


def _draw_modes(campaign_ids: list[int]) -> dict[int, str]:
    """The mode of the draw each campaign's inspections came from (the latest successful one)."""
    rows = db.session.execute(select(Draw.campaign_id, Draw.mode).where(
        Draw.campaign_id.in_(campaign_ids), Draw.status == "drawn").order_by(Draw.id)).all()
    return {campaign_id: mode for campaign_id, mode in rows}


def _joint_campaigns(campaign_ids: list[int]) -> set[int]:
    """Campaigns in which more than one department took part (partners that declined do not count)."""
    return set(db.session.scalars(select(CampaignDepartment.campaign_id).where(
        CampaignDepartment.campaign_id.in_(campaign_ids), CampaignDepartment.status == "confirmed")
        .group_by(CampaignDepartment.campaign_id).having(func.count() > 1)))
