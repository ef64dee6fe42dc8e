"""要约: any department invites 1–4 others to a joint action (厦门's 联合执法要约).

Per region a rule decides whether the coordinating office must approve the invitation or is only notified;
the campaign's BPMN branches on it (invitation_gateway). The invitees then report in as partners do: accept,
decline with a reason, or accept for fewer matters, which narrows the checklist (initiation.record_partner_confirmation).
"""
from flask import current_app
from sqlalchemy import select

from extensions import db
from models import Campaign, Department, Industry, InvitationRule, Matter, Region, User
from services import audit
from services.errors import Forbidden, NotFound, ValidationFailed
from services.org import scope
from services.stages import initiation
from services.workflow import clock, timers

KIND = "invitation"
NOTICE_KIND = "invitation.notice"


def approval_required(region_id: int) -> bool:
    """The rule of the nearest region up the tree that has one; INVITATION_APPROVAL_REQUIRED where none has."""
    chain = scope.ancestors(region_id)  # the region itself first, then its parents
    rules = dict(db.session.execute(select(InvitationRule.region_id, InvitationRule.approval_required)
                                    .where(InvitationRule.region_id.in_(chain))).all())
    for region in chain:
        if region in rules:
            return rules[region]
    return bool(current_app.config["INVITATION_APPROVAL_REQUIRED"])


def set_rule(actor: User, region_id: int, required: bool) -> InvitationRule:
    if not actor.has_role("supervisor"):
        raise Forbidden("只有联席会办公室可以设置要约审批规则")
    if db.session.get(Region, region_id) is None:
        raise NotFound("区域不存在")
    scope.require(actor, region_id, "该区域不在您的管辖区域内")
    rule = db.session.scalars(select(InvitationRule).where(InvitationRule.region_id == region_id)).first()
    if rule is None:
        rule = InvitationRule(region_id=region_id, approval_required=required, set_by_id=actor.id, set_at=clock.now())
        db.session.add(rule)
    rule.approval_required, rule.set_by_id, rule.set_at = required, actor.id, clock.now()
    db.session.flush()
    audit.record(actor, "invitation.rule", "invitation_rule", rule.id, region_id=region_id, approval_required=required)
    db.session.commit()
    return rule


def invite(actor: User, *, industry_id: int, department_ids: list[int], matter_ids: list[int], reason: str) -> Campaign:
    """Open a joint action led by the actor's department with the invited ones as partners."""
    if actor.department_id is None or not actor.has_role("official", "department_admin"):
        raise Forbidden("只有部门执法人员可以发出联合检查要约")
    lead = db.session.get(Department, actor.department_id)
    industry, invited, matters = _checked(lead, industry_id, department_ids, matter_ids, reason)
    required = approval_required(lead.region_id)
    campaign = initiation.open_campaign(
        actor, kind=KIND, industry=industry, lead=lead, ratios=current_app.config["DEFAULT_RATIOS"], matters=matters,
        special_reason=reason.strip(), title=f"{clock.now().year}年{industry.name}联合检查（{lead.name}要约）",
        invited=invited, start_data={"partner_ids": [d.id for d in invited], "approval_required": required})
    audit.record(actor, "invitation.send", "campaign", campaign.id, campaign_id=campaign.id,
                 department_ids=[d.id for d in invited], approval_required=required)
    if not required:
        for supervisor in scope.supervisors_over(lead.region_id):
            timers.notify(f"{lead.name}发出联合检查要约「{campaign.title}」（{campaign.code}），按本区域规则无需审批，特此告知。",
                          NOTICE_KIND, user_id=supervisor.id, campaign_id=campaign.id, link=f"/campaigns/{campaign.id}")
    db.session.commit()
    return campaign


def form_choices(actor: User, industry_id: int | None) -> dict:
    """For the invitation page: industries, the other departments, and the chosen industry's active matters."""
    industry = db.session.get(Industry, industry_id) if industry_id else None
    return {"industries": list(db.session.scalars(select(Industry).order_by(Industry.code))),
            "departments": list(db.session.scalars(select(Department).where(Department.id != actor.department_id)
                                                   .where(scope.clause(actor, Department.region_id))
                                                   .order_by(Department.id))),
            "industry": industry,
            "matters": sorted((m for m in industry.matters if m.active), key=lambda m: (m.department_id, m.id))
            if industry else []}


def rules(actor: User) -> list[tuple[Region, bool, bool]]:
    """The regions of the supervisor's scope: (region, approval required, set on this region itself)."""
    if not actor.has_role("supervisor"):
        raise Forbidden("只有联席会办公室可以设置要约审批规则")
    own = set(db.session.scalars(select(InvitationRule.region_id)))
    regions = db.session.scalars(select(Region).where(scope.clause(actor, Region.id)).order_by(Region.code))
    return [(r, approval_required(r.id), r.id in own) for r in regions]


def _checked(lead: Department, industry_id: int, department_ids: list[int], matter_ids: list[int], reason: str):
    errors: dict[str, list[str]] = {}
    industry = db.session.get(Industry, industry_id)
    if industry is None:
        errors["industry_id"] = ["行业不存在"]
    wanted = sorted(set(department_ids) - {lead.id})
    invited = list(db.session.scalars(select(Department).where(Department.id.in_(wanted)).order_by(Department.id)))
    if not 1 <= len(wanted) <= current_app.config["MAX_CAMPAIGN_DEPARTMENTS"] - 1 or len(invited) != len(wanted):
        errors["department_ids"] = ["要约须邀请 1–4 个其他部门（连同本部门最多 5 个）"]
    matters = list(db.session.scalars(select(Matter).where(Matter.id.in_(matter_ids)).order_by(Matter.id)))
    involved = {lead.id, *wanted}
    if not matters or len(matters) != len(set(matter_ids)) or any(m.department_id not in involved for m in matters) \
            or (industry and any(m not in industry.matters for m in matters)):
        errors["matter_ids"] = ["检查事项须属于该行业和参与部门"]
    if not reason or not reason.strip():
        errors["reason"] = ["请说明要约的事由"]
    if errors:
        raise ValidationFailed(errors)
    return industry, invited, matters
