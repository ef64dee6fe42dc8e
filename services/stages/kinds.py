"""Kinds of campaign beside the annual joint one: single-department (单部门), special (专项), emergency (应急).

The BPMN decides what each kind runs (partners_gateway skips the report-in of a campaign without partners);
this module only names a campaign's kind for the people who read it.
"""
from models import Campaign

KIND_LABELS = {"plan": "年度计划", "special": "专项行动", "emergency": "应急联合行动"}


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
