"""首违不罚 / 轻微免罚 (包容审慎): no penalty for a first or minor violation, once per matter and enterprise in a period.

A matter allows it when its legal basis is configured (Matter.leniency_basis: entries of the 轻微违法行为不予处罚清单);
an inspection's matters are those of its failed checklist items. The grade decision (workflows/grade.dmn) sees two
inputs: whether every such matter is listed, and whether the enterprise has had no such decision for any of them
within the period (Matter.leniency_months, else LENIENCY_PERIOD_MONTHS). Recording the decision checks again and
refuses a second one within the period, whatever the lead chooses.
"""
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from domain import results
from extensions import db
from models import ChecklistItem, Inspection, ItemResult, LeniencyGrant, Matter, User
from services.workflow import clock

KIND_LABELS = {code: zh for code, zh, _ in results.HANDLING if code in results.LENIENT_HANDLING}


def failed_matters(inspection_ids: list[int]) -> dict[int, list[Matter]]:
    """Inspection id -> the matters of its failed items (each once, in matter order)."""
    rows = db.session.execute(
        select(ItemResult.inspection_id, Matter).join(ChecklistItem, ChecklistItem.id == ItemResult.checklist_item_id)
        .join(Matter, Matter.id == ChecklistItem.matter_id)
        .where(ItemResult.inspection_id.in_(inspection_ids), ItemResult.result == "fail")
        .distinct().order_by(ItemResult.inspection_id, Matter.id)).all()
    out: dict[int, list[Matter]] = {}
    for inspection_id, matter in rows:
        out.setdefault(inspection_id, []).append(matter)
    return out


def period_months(matter: Matter) -> int:
    return matter.leniency_months or current_app.config["LENIENCY_PERIOD_MONTHS"]


def _months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    raise ValueError(moment)


def earlier_grant(enterprise_id: int, matter: Matter) -> LeniencyGrant | None:
    """The no-penalty decision this enterprise already had for this matter within the matter's period."""
    since = _months_before(clock.now(), period_months(matter))
    return db.session.scalars(select(LeniencyGrant).where(
        LeniencyGrant.enterprise_id == enterprise_id, LeniencyGrant.matter_id == matter.id,
        LeniencyGrant.granted_at >= since).order_by(LeniencyGrant.granted_at.desc())).first()


def grade_inputs(inspections: list[tuple[int, int]]) -> dict[int, dict]:
    """(inspection id, enterprise id) pairs -> the DMN inputs leniency_listed and first_violation."""
    matters = failed_matters([i for i, _ in inspections])
    out = {}
    for inspection_id, enterprise_id in inspections:
        found = matters.get(inspection_id, [])
        listed = bool(found) and all(m.leniency_basis for m in found)
        first = listed and all(earlier_grant(enterprise_id, m) is None for m in found)
        out[inspection_id] = {"leniency_listed": listed, "first_violation": first}
    return out


def problems(inspection: Inspection, kind: str) -> list[str]:
    """Why this enterprise may not have `kind` (首违不罚 / 轻微免罚) here: empty when it may."""
    name, label = inspection.enterprise.name, KIND_LABELS[kind]
    found = failed_matters([inspection.id]).get(inspection.id, [])
    if not found:
        return [f"{name}：没有不合格的检查事项，不适用{label}"]
    errors = [f"{name}：事项「{m.name}」未列入轻微违法行为不予处罚清单（未配置依据），不能适用{label}"
              for m in found if not m.leniency_basis]
    for matter in found:
        earlier = earlier_grant(inspection.enterprise_id, matter) if matter.leniency_basis else None
        if earlier is not None:
            errors.append(f"{name}：事项「{matter.name}」已于 {clock.to_local(earlier.granted_at):%Y-%m-%d} 适用过"
                          f"{KIND_LABELS[earlier.kind]}，{period_months(matter)} 个月内同一事项只能适用一次")
    return errors


def grant(actor: User, inspection: Inspection, kind: str) -> list[LeniencyGrant]:
    now = clock.now()
    grants = [LeniencyGrant(enterprise_id=inspection.enterprise_id, matter_id=m.id, inspection_id=inspection.id,
                            campaign_id=inspection.campaign_id, kind=kind, legal_basis=m.leniency_basis,
                            granted_by_id=actor.id, granted_at=now)
              for m in failed_matters([inspection.id]).get(inspection.id, [])]
    db.session.add_all(grants)
    return grants
