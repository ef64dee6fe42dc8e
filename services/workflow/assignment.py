"""Who may take a human task: lanes in the BPMN map to departments, roles or named people."""
from dataclasses import dataclass, field

from engine.runner import ReadyTask
from extensions import db
from models import Campaign, Inspection, WorkflowInstance
from services.errors import DomainError

# Lane names as drawn in the diagrams (Chinese) and their English keys.
LANE_RULES = {
    "联席会办公室": "supervisor", "supervisor": "supervisor",
    "牵头部门": "lead_department", "lead_department": "lead_department",
    "配合部门": "partner_department", "partner_department": "partner_department",
    "检查组": "inspection_team", "inspection_team": "inspection_team",
    "受理部门": "receiving_department", "receiving_department": "receiving_department",
    "会诊成员": "diagnosis_panel", "diagnosis_panel": "diagnosis_panel",
}


@dataclass(frozen=True)
class Assignment:
    department_id: int | None = None
    role: str | None = None
    user_ids: list[int] = field(default_factory=list)


def resolve(instance: WorkflowInstance, task: ReadyTask) -> Assignment:
    rule = LANE_RULES.get(task.lane or "")
    if rule is None:
        raise DomainError(f"任务 {task.element_id} 的泳道 {task.lane!r} 没有对应的部门或角色")
    if rule == "supervisor":
        return Assignment(role="supervisor")
    if rule == "lead_department":
        campaign = db.session.get(Campaign, instance.campaign_id)
        return Assignment(department_id=campaign.lead_department_id, role="official")
    if rule == "partner_department":
        return Assignment(department_id=int(task.data["partner_department_id"]), role="official")
    if rule == "diagnosis_panel":  # a 会诊 member: a partner department, or one expert by their account
        member = task.data["opinion_member"]
        if member.get("department_id") is not None:
            return Assignment(department_id=int(member["department_id"]), role="official")
        return Assignment(role="expert", user_ids=[int(member["user_id"])])
    if rule == "receiving_department":  # the department a request is addressed to (an enterprise's objection)
        return Assignment(department_id=int(task.data["department_id"]), role="official")
    # The inspection is usually in the session already, with its officers (and sign-offs) read by the
    # completion or the draw that got here: no statement then. Sign-offs of this transaction count too.
    inspection = db.session.get(Inspection, instance.inspection_id)
    signed = set()
    if task.properties.get("excludeSigners") == "true":  # a countersignature must come from another officer
        signed = set(inspection.signer_ids)
    return Assignment(role="official", user_ids=[u for u in inspection.officer_departments if u not in signed])
