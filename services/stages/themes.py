"""Themed actions (专项/板块): a special action over several industries, one or more areas and a time window.

A department asks for one (like any special action, the coordinating office approves it in the campaign's
BPMN); the draw's scope and its exclusions come from the action (services/draw/inputs.scope_of), and an
inspection may only be dated inside its window (services/stages/inspections.inspection_window).
"""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import Campaign, ChecklistRevision, Department, Industry, Region, ThemedAction, User
from services import audit
from services.errors import Forbidden, ValidationFailed
from services.org import scope
from services.stages import areas
from services.stages import initiation
from services.stages.theme_scope import industries_of, of_campaign  # noqa: F401 - re-exported for pages
from services.workflow import clock

@dataclass(frozen=True)
class Summary:
    """A themed action as pages show it (the public plan page too: no enterprise, no draw setting)."""
    code: str
    name: str
    industries: list[str]
    area: str
    starts_on: date
    ends_on: date
    lead_department: str


def request_themed_action(actor: User, data: dict) -> Campaign:
    """`data`: name, code, industry_ids, region_ids, area_name, address_patterns, or instead area_id (a named
    area, whose scope is copied), starts_on, ends_on (dates), public, reason. Opens a special campaign waiting
    for the supervisor's approval."""
    if actor.department_id is None or not actor.has_role("official", "department_admin"):
        raise Forbidden("只有部门执法人员可以发起专项（板块）行动")
    lead = db.session.get(Department, actor.department_id)
    data = _with_area(actor, data)
    industries, regions = _checked(data, lead)
    revisions = _checklists(industries)
    campaign = initiation.open_campaign(
        actor, kind="special", industry=industries[0], lead=lead, ratios=current_app.config["DEFAULT_RATIOS"],
        matters=_matters(industries), special_reason=data["reason"].strip(), title=data["name"].strip())
    action = ThemedAction(
        campaign_id=campaign.id, code=data["code"].strip(), name=data["name"].strip(),
        industry_ids=[i.id for i in industries], region_ids=[r.id for r in regions],
        area_name=(data.get("area_name") or "").strip() or None, address_patterns=_patterns(data),
        checklist_revision_ids=revisions,
        starts_on=data["starts_on"], ends_on=data["ends_on"], public=bool(data.get("public")),
        created_by_id=actor.id, created_at=clock.now())
    db.session.add(action)
    db.session.flush()
    audit.record(actor, "themed_action.request", "themed_action", action.id, campaign_id=campaign.id,
                 code=action.code, industry_ids=action.industry_ids, region_ids=action.region_ids,
                 address_patterns=action.address_patterns, starts_on=action.starts_on.isoformat(),
                 ends_on=action.ends_on.isoformat())
    db.session.commit()
    return campaign


def form_choices(actor: User) -> dict:
    """Industries, and the regions of the actor's department's subtree (its 乡镇/街道 included)."""
    department = db.session.get(Department, actor.department_id) if actor.department_id else None
    own = scope.subtree_ids(department.region_id) if department else []
    return {"industries": list(db.session.scalars(select(Industry).order_by(Industry.code))),
            "areas": areas.usable(actor),
            "regions": list(db.session.scalars(select(Region).where(Region.id.in_(own)).order_by(Region.code)))}


def area_label(action: ThemedAction) -> str:
    """How the area reads on a page: its name, or its regions and address patterns."""
    if action.area_name:
        return action.area_name
    names = list(db.session.scalars(select(Region.name).where(Region.id.in_(action.region_ids)).order_by(Region.code)))
    return "、".join(names + action.address_patterns)


def summary(campaign_id: int) -> Summary | None:
    action = of_campaign(db.session.get(Campaign, campaign_id))
    return _summary(action) if action else None


def _summary(action: ThemedAction) -> Summary:
    return Summary(action.code, action.name, [i.name for i in industries_of(action.campaign)], area_label(action),
                   action.starts_on, action.ends_on, action.campaign.lead_department.name)


def public_summaries(year: int) -> list[Summary]:
    return [_summary(a) for a in public_actions(year)]


def public_actions(year: int) -> list[ThemedAction]:
    """Public themed actions of the year that the coordinating office has approved (never a rejected one)."""
    return list(db.session.scalars(
        select(ThemedAction).join(Campaign, Campaign.id == ThemedAction.campaign_id)
        .where(ThemedAction.public.is_(True), Campaign.status != "rejected", Campaign.stage != "plan",
               ThemedAction.starts_on >= date(year, 1, 1), ThemedAction.starts_on <= date(year, 12, 31))
        .order_by(ThemedAction.starts_on, ThemedAction.id)))


def _checked(data: dict, lead: Department) -> tuple[list[Industry], list[Region]]:
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = ["请填写行动名称"]
    code = (data.get("code") or "").strip()
    if not code:
        errors["code"] = ["请填写行动编号"]
    elif db.session.scalar(select(ThemedAction.id).where(ThemedAction.code == code)) is not None:
        errors["code"] = ["该行动编号已被使用"]
    wanted = list(dict.fromkeys(data.get("industry_ids") or []))
    found = {i.id: i for i in db.session.scalars(select(Industry).where(Industry.id.in_(wanted)))}
    if not wanted or len(found) != len(wanted):
        errors["industry_ids"] = ["请至少选择一个行业"]
    regions = list(db.session.scalars(select(Region).where(Region.id.in_(data.get("region_ids") or []))))
    own = set(scope.subtree_ids(lead.region_id))
    if len(regions) != len(set(data.get("region_ids") or [])) or any(r.id not in own for r in regions):
        errors["region_ids"] = ["区域必须在牵头部门所在区域内"]
    patterns = _patterns(data)
    if len(patterns) > areas.MAX_PATTERNS or any(len(p) > 50 for p in patterns):
        errors["address_patterns"] = ["地址关键词最多 10 个，每个不超过 50 字"]
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts is None or ends is None:
        errors["window"] = ["请填写有效的开始和结束日期（如 2026-12-01）"]
    elif ends < starts:
        errors["window"] = ["结束日期不能早于开始日期"]
    elif ends < clock.today():
        errors["window"] = ["结束日期已过"]
    if not (data.get("reason") or "").strip():
        errors["reason"] = ["请说明发起专项行动的理由"]
    if errors:
        raise ValidationFailed(errors)
    return [found[i] for i in wanted], regions


def _checklists(industries: list[Industry]) -> dict[str, int]:
    """Each industry's newest checklist revision: its enterprises are inspected with it (一业一单)."""
    found = {}
    for industry in industries:
        revision = db.session.scalars(select(ChecklistRevision).where(ChecklistRevision.industry_id == industry.id)
                                      .order_by(ChecklistRevision.number.desc())).first()
        if revision is None:
            raise ValidationFailed({"industry_ids": [f"行业「{industry.name}」还没有检查清单，无法发起"]})
        found[str(industry.id)] = revision.id
    return found


def _patterns(data: dict) -> list[str]:
    return areas.clean_patterns(data.get("address_patterns"))


def _with_area(actor: User, data: dict) -> dict:
    """A chosen named area stands for the regions and keywords (one or the other, so their meaning never mixes)."""
    if not data.get("area_id"):
        return data
    area = next((a for a in areas.usable(actor) if a.id == data["area_id"]), None)
    if area is None:
        raise ValidationFailed({"area_id": ["命名区域不存在或不可用"]})
    if data.get("region_ids") or _patterns(data):
        raise ValidationFailed({"area_id": ["选择命名区域后，不再另选区域或填写地址关键词"]})
    return {**data, "region_ids": list(area.region_ids), "address_patterns": list(area.address_patterns),
            "area_name": (data.get("area_name") or "").strip() or area.name}


def _matters(industries: list[Industry]) -> list:
    seen, out = set(), []
    for industry in industries:
        for matter in industry.matters:
            if matter.id not in seen and matter.active:
                seen.add(matter.id)
                out.append(matter)
    return out
