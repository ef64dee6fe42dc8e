"""The handling decision (分类处置) for a complaint's targeted inspection (定向检查).

A targeted inspection has no 会诊 (its campaign holds only it), yet its enterprise case waits for the
handling decision a diagnosis gives (workflows/enterprise_case.bpmn, `handling_decided`). So once its result
is published, the department that took the complaint (the campaign's lead) decides the handling itself, in a
small process of its own (workflows/targeted_handling.bpmn): the same choices, suggestion and rules as the
diagnosis' confirm/override (services/stages/diagnosis.py), and the case then goes on to rectification or a
case exactly as after a diagnosis. A result without a problem and without a suggested measure needs no
decision: it is handled as "no action" at once, as the diagnosis does for such rows.

Publishing starts it (services/stages/publication.py); `open_waiting` does the same for targeted inspections
published before this existed, whose cases still wait (`flask campaign open-targeted-handling`).
"""
from sqlalchemy import exists, select

from extensions import db
from forms.loader import Choice, FormContext, Row
from domain import results
from models import Complaint, HumanTask, Inspection, WorkflowInstance
from services import audit
from services.errors import Conflict, Forbidden
from services.stages import diagnosis
from services.workflow import runtime, timers

PROCESS_ID = FORM_KEY = "targeted_handling"


def open_for(inspection: Inspection) -> bool:
    """Give a published targeted inspection its handling: a task for the lead department, or "no action" at once
    when nothing was found and nothing is suggested. Does nothing (False) when it is decided or its task is open."""
    if inspection.selection != "targeted" or inspection.handling is not None or _task_open(inspection.id):
        return False
    campaign = inspection.campaign
    chosen, _ = diagnosis.problem_rows(campaign.id)
    if inspection not in chosen:
        inspection.handling = "none"
        db.session.flush()
        runtime.send_message(runtime.case_instance(inspection.id), "handling_decided", "none")
        audit.record(None, "targeted_handling.none", "inspection", inspection.id, campaign_id=campaign.id,
                     result_code=inspection.result_code)
        return True
    instance = runtime.start_instance(PROCESS_ID, {"inspection_id": inspection.id,
                                                   "department_id": campaign.lead_department_id},
                                      region_id=campaign.region_id)
    # Like an objection's, the instance carries no campaign (the runtime would take it for the campaign's own);
    # its task is listed with the campaign and the enterprise, so the inbox says what it is about.
    for task in db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)):
        task.campaign_id, task.inspection_id = campaign.id, inspection.id
    timers.notify_lead(campaign, f"{campaign.title}：{inspection.enterprise.name} 的检查结果已公示，请决定分类处置",
                       "targeted_handling")
    audit.record(None, "targeted_handling.open", "inspection", inspection.id, campaign_id=campaign.id,
                 instance_id=instance.id)
    return True


def handling_context(ctx) -> FormContext:
    inspection = ctx.inspection
    _, gradings = diagnosis.grade_campaign(ctx.campaign.id)
    graded = gradings.get(inspection.id)
    labels = {code: zh for code, zh, _ in results.HANDLING}
    detail = results.category(inspection.result_code).zh + (
        f" · 等级 {graded.grade} · 系统建议：{labels[graded.suggested]}" if graded else "")
    return FormContext(
        choices={"handling_classes": [Choice(code, zh) for code, zh, _ in results.HANDLING]},
        rows={"targeted_inspection": [Row(inspection.id, f"{inspection.enterprise.name}（{inspection.enterprise.uscc}）",
                                          detail=detail)]},
        initial={"handling": {inspection.id: {"handling": diagnosis.suggestion(inspection, gradings)}}},
        info={"inspection": inspection, "enterprise": inspection.enterprise, "complaint": _complaint_of(inspection)})


def record_handling(ctx, data: dict) -> dict:
    """The lead department confirms or overrides the suggestion (a reason for an override, an authority and its
    kind for a transfer, leniency only where listed); what the handling calls for is opened, and the case goes on."""
    inspection, campaign = ctx.inspection, ctx.campaign
    if ctx.user.department_id != campaign.lead_department_id:
        raise Forbidden("只有受理投诉举报的牵头部门可以决定定向检查的处置")
    if inspection.handling is not None:
        raise Conflict(f"{inspection.enterprise.name} 的处置已决定")
    version, gradings = diagnosis.grade_campaign(campaign.id)
    row = {r["key"]: r for r in data.get("handling") or []}.get(inspection.id) \
        or {"handling": diagnosis.suggestion(inspection, gradings)}
    diagnosis.check_handling([inspection], {inspection.id: row}, gradings)
    opened = diagnosis.apply_handling(ctx.user, inspection, row, gradings, version)
    db.session.flush()
    runtime.send_message(runtime.case_instance(inspection.id), "handling_decided", inspection.handling)
    audit.record(ctx.user, "targeted_handling.decide", "inspection", inspection.id, campaign_id=campaign.id,
                 handling=inspection.handling, open_follow_ups=opened, decision_version=version)
    return {"handling": inspection.handling}


def open_waiting() -> list[int]:
    """Targeted inspections published before they had a handling step: their cases still wait for a decision.
    Give each its handling (idempotent). Returns the inspections given one."""
    running_case = exists().where(WorkflowInstance.inspection_id == Inspection.id, WorkflowInstance.status == "running")
    waiting = list(db.session.scalars(select(Inspection).where(
        Inspection.selection == "targeted", Inspection.status == "submitted", Inspection.published_at.is_not(None),
        Inspection.handling.is_(None), running_case).order_by(Inspection.id)))
    given = [inspection.id for inspection in waiting if open_for(inspection)]
    db.session.commit()
    return given


def _task_open(inspection_id: int) -> bool:
    return db.session.scalar(select(HumanTask.id).where(
        HumanTask.form_key == FORM_KEY, HumanTask.inspection_id == inspection_id, HumanTask.status == "open")
        .limit(1)) is not None


def _complaint_of(inspection: Inspection) -> Complaint | None:
    return db.session.scalars(select(Complaint).where(Complaint.inspection_id == inspection.id)).first()
