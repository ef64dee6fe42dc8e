"""The annual plan (年度抽查计划): entries per industry, approved by the supervisor."""
from flask import current_app
from sqlalchemy import select, update

from extensions import db
from models import Department, Industry, Matter, PlanEntry, Region, User
from services import audit
from services.org import scope
from services.stages import initiation as campaigns
from services.workflow import clock
from services.draw import rules as draw_rules
from services.errors import Conflict, Forbidden, ValidationFailed
from services.lookup import get_or_404


def list_entries(year: int | None = None, user: User | None = None) -> list[PlanEntry]:
    """The plan entries of the user's scope (by the lead department's region); all of them without a user."""
    query = select(PlanEntry).order_by(PlanEntry.year.desc(), PlanEntry.id)
    if user is not None:
        query = query.where(scope.department_clause(user, PlanEntry.lead_department_id))
    if year:
        query = query.where(PlanEntry.year == year)
    return list(db.session.scalars(query))


def form_options(actor: User) -> dict:
    """What the plan form offers: industries with their matters, departments and regions (for the supervisor)."""
    _require_supervisor(actor)
    return {"industries": list(db.session.scalars(select(Industry).order_by(Industry.code))),
            "matters_by_industry": matters_by_industry(),
            "departments": list(db.session.scalars(select(Department).order_by(Department.id))),
            "regions": list(db.session.scalars(select(Region).order_by(Region.code)))}


def matters_by_industry() -> dict[int, list[Matter]]:
    """Each industry's matters for the plan form, once each (by department and name), department by department.

    A matter regulated across industries (fire safety, say) belongs to many of them: the form lists only the
    chosen industry's, so it is never shown twice."""
    out: dict[int, list[Matter]] = {}
    for industry in db.session.scalars(select(Industry).order_by(Industry.code)):
        seen, matters = set(), []
        for matter in sorted(industry.matters, key=lambda m: (m.department_id, m.name, m.id)):
            if (matter.department_id, matter.name) not in seen:
                seen.add((matter.department_id, matter.name))
                matters.append(matter)
        out[industry.id] = matters
    return out


def create_entry(actor: User, data: dict) -> PlanEntry:
    """`data` has been shape-checked by schemas.plan.PlanEntryCreateSchema; here the domain rules."""
    _require_supervisor(actor)
    industry = db.session.get(Industry, data["industry_id"])
    lead = db.session.get(Department, data["lead_department_id"])
    errors = {}
    if industry is None:
        errors["industry_id"] = ["行业不存在"]
    if lead is None or not scope.covers(actor, lead.region_id):
        errors["lead_department_id"] = ["牵头部门不存在或不在您的管辖区域内"]
    partners = db.session.scalars(select(Department).where(Department.id.in_(data["partner_department_ids"]))).all()
    if len(partners) != len(set(data["partner_department_ids"])) or (lead and lead in partners):
        errors["partner_department_ids"] = ["配合部门无效，或与牵头部门重复"]
    limit = current_app.config["MAX_CAMPAIGN_DEPARTMENTS"]
    if len(partners) + 1 > limit:
        errors["partner_department_ids"] = [f"联合检查最多 {limit} 个部门（含牵头部门）"]
    matters = db.session.scalars(select(Matter).where(Matter.id.in_(data["matter_ids"]))).all()
    if industry and (len(matters) != len(set(data["matter_ids"])) or any(m not in industry.matters for m in matters)):
        errors["matter_ids"] = ["检查事项必须属于该行业的监管事项清单"]
    settings = data.get("draw_settings") or {}
    errors.update(_draw_settings_problems(data["ratios"], settings))
    if errors:
        raise ValidationFailed(errors)
    entry = PlanEntry(
        year=data["year"], industry=industry, lead_department=lead, partners=list(partners), matters=list(matters),
        ratios=data["ratios"], method=data["method"], timing=data["timing"],
        result_handling=data.get("result_handling"), draw_settings=settings, status="draft",
        created_by_id=actor.id, created_at=clock.now(),
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "plan.create", "plan_entry", entry.id, industry_id=industry.id, year=entry.year)
    db.session.commit()
    return entry


def approve_entry(actor: User, entry_id: int) -> PlanEntry:
    """Approval sends the task to the lead department once: it opens the campaign instance."""
    _require_supervisor(actor)
    entry = get_or_404(PlanEntry, entry_id, "计划条目不存在")
    scope.require(actor, entry.lead_department.region_id, "该计划条目不在您的管辖区域内，不能审批")
    # A conditional update, not read-then-write: of two supervisors approving at once, only one
    # opens a campaign; the other's UPDATE matches no row (on PostgreSQL it waits, then re-checks).
    claimed = db.session.execute(update(PlanEntry).where(PlanEntry.id == entry_id, PlanEntry.status == "draft")
                                 .values(status="approved", approved_by_id=actor.id, approved_at=clock.now()))
    if claimed.rowcount != 1:
        db.session.rollback()
        raise Conflict("该计划条目已审批")
    db.session.refresh(entry)
    audit.record(actor, "plan.approve", "plan_entry", entry.id)
    campaigns.open_campaign(actor, kind="plan", industry=entry.industry, lead=entry.lead_department,
                            ratios=entry.ratios, matters=list(entry.matters), plan_entry=entry)
    db.session.commit()
    return entry


def _draw_settings_problems(ratios: dict, settings: dict) -> dict[str, list[str]]:
    """Ratios and draw settings by the draw's rules; scope ids must exist."""
    errors = draw_rules.problems(ratios, draw_rules.effective(settings))
    for field, model, message in (("region_ids", Region, "抽查区域不存在"), ("extra_industry_ids", Industry, "附加行业不存在")):
        wanted = set(settings.get(field) or [])
        if wanted and len(db.session.scalars(select(model.id).where(model.id.in_(wanted))).all()) != len(wanted):
            errors[field] = [message]
    return errors


def _require_supervisor(actor: User) -> None:
    if not actor.has_role("supervisor"):
        raise Forbidden("只有联席会办公室（监督员）可以制定和审批年度计划")
