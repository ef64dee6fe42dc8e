"""Campaigns: opening one (from the plan or as a special action), initiation and partner report-in."""
from flask import current_app
from sqlalchemy import select

from engine import runner
from extensions import db
from forms.loader import Choice, FormContext
from models import (Campaign, CampaignDepartment, ChecklistRevision, Department,
                    HumanTask, Industry, Matter, PlanEntry, User)
from services import audit
from services.directory import catalogue
from services.stages import participation
from services.stages import theme_scope
from services.supervision import dashboard
from services.workflow import clock
from services.workflow import runtime
from services.errors import DomainError, Forbidden, ValidationFailed


def open_campaign(actor: User, *, kind: str, industry: Industry, lead: Department, ratios: dict,
                  matters: list[Matter], plan_entry: PlanEntry | None = None,
                  special_reason: str | None = None, title: str | None = None,
                  invited: list[Department] = (), start_data: dict | None = None) -> Campaign:
    """Create the campaign row and start its process instance (caller commits). `invited`: partner departments
    named before the process starts (an invitation, 要约); `start_data`: more variables for its gateways."""
    revision = db.session.scalars(select(ChecklistRevision).where(ChecklistRevision.industry_id == industry.id)
                                  .order_by(ChecklistRevision.number.desc())).first()
    if revision is None:
        raise DomainError(f"行业「{industry.name}」还没有检查清单，无法发起")
    now = clock.now()
    if title is None:
        single = plan_entry is not None and not plan_entry.partners
        title = f"{now.year}年{industry.name}" + ("单部门双随机抽查" if single else "一业一查联合检查")
    campaign = Campaign(
        code=f"pending-{now.timestamp()}", title=title,
        kind=kind, plan_entry=plan_entry, industry=industry, region_id=lead.region_id, lead_department=lead,
        checklist_revision=revision, ratios=dict(ratios), special_reason=special_reason, stage="plan",
        created_by_id=actor.id, created_at=now, matters=list(matters),
    )
    campaign.departments.append(CampaignDepartment(department=lead, role="lead", status="confirmed", responded_at=now))
    for department in invited:
        campaign.departments.append(CampaignDepartment(department=department, role="partner", status="invited"))
    db.session.add(campaign)
    db.session.flush()
    campaign.code = f"YYYC-{now.year}-{campaign.id:05d}"
    audit.record(actor, "campaign.open", "campaign", campaign.id, campaign_id=campaign.id, kind=kind,
                 plan_entry_id=plan_entry.id if plan_entry else None)
    runtime.start_instance("campaign", {**(start_data or {}), "campaign_id": campaign.id, "kind": kind},
                           campaign_id=campaign.id, region_id=lead.region_id)
    return campaign


def request_special_action(actor: User, *, industry_id: int, reason: str, ratios: dict | None = None) -> Campaign:
    """A special action (专项行动) outside the annual plan; it waits for the supervisor's approval."""
    if actor.department_id is None or not actor.has_role("official", "department_admin"):
        raise Forbidden("只有部门执法人员可以发起专项行动")
    industry = db.session.get(Industry, industry_id)
    if industry is None:
        raise ValidationFailed({"industry_id": ["行业不存在"]})
    if not reason or not reason.strip():
        raise ValidationFailed({"reason": ["请说明发起专项行动的理由"]})
    lead = db.session.get(Department, actor.department_id)
    campaign = open_campaign(actor, kind="special", industry=industry, lead=lead,
                             ratios=ratios or current_app.config["DEFAULT_RATIOS"],
                             matters=list(industry.matters), special_reason=reason.strip(),
                             title=f"{clock.now().year}年{industry.name}专项行动")
    db.session.commit()
    return campaign


def any_campaign() -> bool:
    """Whether any campaign exists (the demo loader runs its campaigns only into an empty county)."""
    return db.session.scalar(select(Campaign.id).limit(1)) is not None


def visible_campaigns(user: User) -> list[Campaign]:
    """Supervisors and admins: the campaigns of their subtree (services/org/scope); others: their department's."""
    query = select(Campaign).order_by(Campaign.id.desc())
    return list(db.session.scalars(query.where(participation.campaign_condition(user, Campaign.id))))


def get_campaign(user: User, campaign_id: int) -> Campaign:
    return participation.require_campaign(user, campaign_id)


def campaign_tasks(campaign: Campaign) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign.id)
                                   .order_by(HumanTask.id)))


def record_special_approval(ctx, data: dict) -> dict:
    if data["special_decision"] == "reject":
        ctx.campaign.status = "rejected"
    audit.record(ctx.user, f"campaign.special_{data['special_decision']}", "campaign", ctx.campaign.id,
                 campaign_id=ctx.campaign.id, comment=data.get("comment"))
    return {"special_decision": data["special_decision"]}


def special_approval_context(ctx) -> FormContext:
    return FormContext(info={"reason": ctx.campaign.special_reason, "campaign": ctx.campaign})


def initiation_context(ctx) -> FormContext:
    """智能发起: the catalogue proposes partners, matters, checklist and legal bases; the plan, where there
    is one, has already chosen partners and matters, so its choice is the default instead."""
    campaign = ctx.campaign
    limit = current_app.config["MAX_CAMPAIGN_DEPARTMENTS"]
    proposal = catalogue.propose(campaign.industry, campaign.lead_department_id, limit)
    departments = db.session.scalars(select(Department).where(Department.id != campaign.lead_department_id)
                                     .order_by(Department.id)).all()
    plan = campaign.plan_entry
    partner_ids = [d.id for d in plan.partners] if plan else [d.id for d in proposal.partners]
    involved = {campaign.lead_department_id, *partner_ids}
    # A themed action spans several industries: their matters were chosen when it was requested.
    industries = theme_scope.industries_of(campaign)
    matters = campaign.matters if plan or len(industries) > 1 else proposal.matters
    offered = list({m.id: m for i in industries for m in i.matters if m.active}.values())
    revisions = catalogue.revisions(campaign.industry_id)
    return FormContext(
        choices={"partner_departments": [Choice(d.id, d.name) for d in departments],
                 "matters": [Choice(m.id, f"{m.department.name}：{m.name}（{m.legal_basis}）")
                             for m in offered],
                 "checklist_revisions": [Choice(r.id, f"第 {r.number} 版（{len(r.items)} 项）{r.note or ''}")
                                         for r in revisions]},
        initial={"partner_department_ids": partner_ids,
                 "matter_ids": [m.id for m in matters if m.department_id in involved],
                 "checklist_revision_id": campaign.checklist_revision_id},
        info={"proposal": proposal, "from_plan": plan is not None, "limit": limit},
    )


def record_initiation(ctx, data: dict) -> dict:
    campaign = ctx.campaign
    partner_ids = sorted(set(data.get("partner_department_ids") or []))
    limit = current_app.config["MAX_CAMPAIGN_DEPARTMENTS"]
    if len(partner_ids) + 1 > limit:
        raise ValidationFailed({"partner_department_ids": [f"联合检查最多 {limit} 个部门（含牵头部门）"]})
    allowed = set(partner_ids) | {campaign.lead_department_id}
    matters = db.session.scalars(select(Matter).where(Matter.id.in_(data["matter_ids"]))).all()
    outside = [m.name for m in matters if m.department_id not in allowed]
    if outside:
        raise ValidationFailed({"matter_ids": [f"事项不属于参与部门：{'、'.join(outside)}"]})
    if data.get("checklist_revision_id"):
        # The choices hold only this industry's revisions; before the draw nothing has been inspected yet.
        campaign.checklist_revision_id = data["checklist_revision_id"]
    campaign.matters = list(matters)
    for department_id in partner_ids:
        campaign.departments.append(CampaignDepartment(department_id=department_id, role="partner", status="invited"))
    audit.record(ctx.user, "campaign.initiate", "campaign", campaign.id, campaign_id=campaign.id,
                 partner_department_ids=partner_ids, matter_ids=sorted(m.id for m in matters),
                 checklist_revision_id=campaign.checklist_revision_id)
    # partner_ids steers the BPMN's partners_gateway: none = a single-department campaign, no report-in stage.
    return {"partner_ids": partner_ids}


def partner_context(ctx) -> FormContext:
    own = [m for m in ctx.campaign.matters if m.department_id == ctx.task.department_id]
    return FormContext(choices={"partner_matters": [Choice(m.id, f"{m.name}（{m.legal_basis}）") for m in own]},
                       info={"matters": own})


def record_partner_confirmation(ctx, data: dict) -> dict:
    part = next(d for d in ctx.campaign.departments if d.department_id == ctx.task.department_id)
    part.status = "declined" if data["decision"] == "decline" else "confirmed"
    part.reason = data.get("reason")
    part.responded_at = clock.now()
    if part.status == "declined":
        # A declining department's matters leave the campaign with it.
        ctx.campaign.matters = [m for m in ctx.campaign.matters if m.department_id != part.department_id]
    elif data["decision"] == "confirm_fewer":
        # 三不 (not every matter): the department keeps only the matters it chose, so the checklist narrows.
        kept = set(data.get("matter_ids") or [])
        ctx.campaign.matters = [m for m in ctx.campaign.matters
                                if m.department_id != part.department_id or m.id in kept]
    audit.record(ctx.user, f"campaign.partner_{part.status}", "campaign_department", part.id,
                 campaign_id=ctx.campaign.id, department_id=part.department_id, reason=part.reason,
                 matter_ids=sorted(m.id for m in ctx.campaign.matters if m.department_id == part.department_id))
    return {}


def diagram(user: User, campaign_id: int) -> tuple[str, dict[str, str]]:
    """The campaign's BPMN (the version it runs on) and each element's state, for the viewer."""
    campaign = get_campaign(user, campaign_id)
    instance = runtime.campaign_instance(campaign.id)
    states = runner.element_states(runtime.load(instance))
    overdue = db.session.scalars(select(HumanTask.element_id).where(
        HumanTask.campaign_id == campaign.id, HumanTask.status == "open", HumanTask.inspection_id.is_(None),
        HumanTask.due_at < clock.now())).all()
    states.update({element_id: "overdue" for element_id in overdue})
    # The dashboard row's colour (domain.stage_timing.state over the stage SLA, overdue tasks incl. the
    # per-enterprise ones, a late publication): whatever the campaign is waiting on takes it — red when late,
    # amber ("warn") near the limit.
    colour = {"late": "overdue", "warn": "warn"}.get(dashboard.campaign_state(campaign.id))
    if colour:
        states.update({element_id: colour for element_id, state in states.items() if state == "active"})
    return instance.definition.bpmn_xml, states
