"""Kinds of campaign beside the annual joint one: single-department (单部门), special (专项, themed ones in
services/stages/themes.py), emergency (应急), by invitation (要约, services/stages/invitations.py).

The BPMN decides what each kind runs (partners_gateway skips the report-in of a campaign without partners,
kind_gateway sends an emergency action to the coordinating office's approval); services/workflow/sla.py gives
an emergency action its deadlines in hours. Here: requesting an emergency action, and naming a campaign's kind.
"""
from flask import current_app

from extensions import db
from models import Campaign, Department, Industry, User
from services.errors import Forbidden, ValidationFailed
from services.stages import initiation
from services.workflow import clock, sla

KIND_LABELS = {"plan": "年度计划", "special": "专项行动", "complaint": "投诉举报定向检查", "emergency": "应急联合行动", "invitation": "部门要约联合检查"}


def is_single_department(campaign: Campaign) -> bool:
    """No partner department takes part: none invited (or all declined) once the lead has initiated, or,
    before that, none in the plan entry the campaign comes from."""
    if any(d.role == "partner" and d.status != "declined" for d in campaign.departments):
        return False
    if not _initiated(campaign) and campaign.plan_entry is not None:
        return not campaign.plan_entry.partners
    return True


def labels(campaign: Campaign) -> list[str]:
    """The untranslated labels a page shows for the campaign's kind, e.g. 年度计划 · 单部门; before the lead
    has initiated a campaign without a plan entry, whether it is joint is not known yet."""
    out = [KIND_LABELS.get(campaign.kind, campaign.kind)]
    if _initiated(campaign) or campaign.plan_entry is not None:
        out.append("单部门" if is_single_department(campaign) else "联合检查")
    return out


def _initiated(campaign: Campaign) -> bool:
    return campaign.stage not in ("plan", "initiation") or any(d.role == "partner" for d in campaign.departments)


def request_emergency_action(actor: User, *, industry_id: int, reason: str) -> Campaign:
    """An emergency joint action (应急): no plan entry, approved by the coordinating office within hours; every
    stage and task then runs on hours (services/workflow/sla.py)."""
    if actor.department_id is None or not actor.has_role("official", "department_admin"):
        raise Forbidden("只有部门执法人员可以发起应急联合行动")
    industry = db.session.get(Industry, industry_id)
    errors = {}
    if industry is None:
        errors["industry_id"] = ["行业不存在"]
    if not reason or not reason.strip():
        errors["reason"] = ["请说明发起应急联合行动的事由"]
    if errors:
        raise ValidationFailed(errors)
    lead = db.session.get(Department, actor.department_id)
    campaign = initiation.open_campaign(actor, kind=sla.EMERGENCY, industry=industry, lead=lead,
                                        ratios=current_app.config["DEFAULT_RATIOS"], matters=list(industry.matters),
                                        special_reason=reason.strip(),
                                        title=f"{clock.now().year}年{industry.name}应急联合行动")
    db.session.commit()
    return campaign
