"""Objections (异议/申诉): an enterprise disputes items of its published result; the lead department answers.

Open during the publication window (OBJECTION_WINDOW_WORKING_DAYS working days after 公示), one open objection
per inspection at a time, only about items of that inspection. Each objection runs as a small `objection`
process whose task goes to the campaign's lead department with a working-day deadline (escalated like every
task when late). The answer — the result stands, it was corrected (a correction revision made after the
objection must exist: it is what /public/ shows as 已更正), or rejected with reasons — goes back to the
enterprise through the outbox. Photos and PDFs may come with the objection: checked and stored exactly as
inspection evidence (services/stages/evidence.py), all files or none, and shown to the officials who answer.
"""
from flask import current_app
from sqlalchemy import select

from extensions import db
from forms.loader import FormContext
from models import (Campaign, ChecklistItem, HumanTask, Inspection, InspectionRevision, ItemResult, Objection,
                    ObjectionEvidence, User)
from services import audit, auditor
from services.lookup import first_or_404
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.org import scope
from services.portal import outbox
from services.stages import evidence
from services.workflow import calendar, clock, runtime, timers

OUTCOMES = {"uphold": "upheld", "correct": "corrected", "reject": "rejected"}
OUTCOME_WORDS = {"upheld": "维持原检查结果", "corrected": "已更正检查结果", "rejected": "不予采纳"}
MAX_FILES = 10


def window_closes(inspection: Inspection):
    """The last day an objection may be filed, or None before publication."""
    if inspection.published_at is None:
        return None
    start = clock.local_date(inspection.published_at)
    return calendar.deadline(start, current_app.config["OBJECTION_WINDOW_WORKING_DAYS"]).due


def window_for(enterprise_id: int, inspection_id: int):
    """The enterprise's own inspection's objection deadline (None if not its own or not published)."""
    inspection = db.session.get(Inspection, inspection_id)
    return window_closes(inspection) if inspection is not None and inspection.enterprise_id == enterprise_id else None


def for_inspection(enterprise_id: int, inspection_id: int) -> list[Objection]:
    return list(db.session.scalars(select(Objection).where(
        Objection.inspection_id == inspection_id, Objection.enterprise_id == enterprise_id).order_by(Objection.id)))


def file(enterprise_id: int, inspection_id: int, item_ids: list[int], reason: str,
         uploads: list[evidence.Upload] | None = None) -> Objection:
    """File the objection with its evidence files (all checked before any is written; none kept on failure)."""
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or inspection.enterprise_id != enterprise_id or inspection.published_at is None:
        raise NotFound("检查记录不存在")
    closes = window_closes(inspection)
    if clock.today() > closes:
        raise Conflict(f"异议期已于 {closes} 结束，不能再提出异议")
    if any(o.status == "open" for o in for_inspection(enterprise_id, inspection_id)):
        raise Conflict("该检查结果已有待答复的异议")
    own_items = set(db.session.scalars(select(ItemResult.checklist_item_id).where(
        ItemResult.inspection_id == inspection_id)))
    errors = {}
    if not item_ids or not set(item_ids) <= own_items:
        errors["item_ids"] = ["请选择本次检查的检查项"]
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 2000:
        errors["reason"] = ["请写明异议理由（5–2000 字）"]
    uploads = [u for u in uploads or [] if u.filename]
    if len(uploads) > MAX_FILES:
        errors["evidence"] = [f"最多上传 {MAX_FILES} 个文件"]
    if errors:
        raise ValidationFailed(errors)
    stored, written = evidence.write_all(evidence.check_all(uploads, set()))
    try:
        return _record(inspection, enterprise_id, item_ids, reason, stored)
    except Exception:
        db.session.rollback()
        evidence.discard(written)
        raise


def _record(inspection: Inspection, enterprise_id: int, item_ids: list[int], reason: str, stored: list) -> Objection:
    campaign = db.session.get(Campaign, inspection.campaign_id)
    due = calendar.deadline(clock.today(), current_app.config["OBJECTION_WORKING_DAYS"])
    objection = Objection(inspection_id=inspection.id, enterprise_id=enterprise_id, campaign_id=campaign.id,
                          department_id=campaign.lead_department_id, item_ids=sorted(set(item_ids)), reason=reason,
                          status="open", due_on=due.due, created_at=clock.now())
    db.session.add(objection)
    db.session.flush()
    instance = runtime.start_instance("objection", {"objection_id": objection.id,
                                                    "department_id": campaign.lead_department_id},
                                      region_id=campaign.region_id)
    objection.instance_id = instance.id
    db.session.add_all([ObjectionEvidence(objection_id=objection.id, sha256=sha, size=size, mime=mime,
                                          original_name=evidence.stored_name(upload), uploaded_at=clock.now())
                        for upload, sha, size, mime in stored])
    for task in db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)):
        task.campaign_id = campaign.id  # listed with its campaign; the inspection is named in the task's info
        task.due_at = clock.end_of_day(due.due)
    timers.notify_lead(campaign, f"{inspection.enterprise.name}对检查结果提出异议，请于 {due.due} 前复核答复", "objection")
    audit.record(None, "objection.file", "objection", objection.id, campaign_id=campaign.id,
                 inspection_id=inspection.id, enterprise_id=enterprise_id, item_ids=objection.item_ids,
                 files=[sha for _, sha, _, _ in stored])
    db.session.commit()
    return objection


def files_of(objection_id: int) -> list[ObjectionEvidence]:
    return list(db.session.scalars(select(ObjectionEvidence).where(ObjectionEvidence.objection_id == objection_id)
                                   .order_by(ObjectionEvidence.id)))


def files_by_objection(enterprise_id: int, inspection_id: int) -> dict[int, list[ObjectionEvidence]]:
    """The enterprise's own objections' files on one inspection, by objection id."""
    ids = [o.id for o in for_inspection(enterprise_id, inspection_id)]
    found: dict[int, list[ObjectionEvidence]] = {}
    for row in db.session.scalars(select(ObjectionEvidence).where(ObjectionEvidence.objection_id.in_(ids))
                                  .order_by(ObjectionEvidence.id)):
        found.setdefault(row.objection_id, []).append(row)
    return found


def enterprise_file(enterprise_id: int, file_id: int):
    """One of the enterprise's own objection files (another enterprise's reads as not found)."""
    row = db.session.get(ObjectionEvidence, file_id)
    objection = db.session.get(Objection, row.objection_id) if row is not None else None
    if objection is None or objection.enterprise_id != enterprise_id:
        raise NotFound("证据文件不存在")
    return evidence.opened(row)


def official_file(user: User, file_id: int):
    """For the officials who answer the objection (the lead department), and the supervisors and auditors of the
    campaign's region."""
    row = db.session.get(ObjectionEvidence, file_id)
    if row is None:
        raise NotFound("证据文件不存在")
    objection = db.session.get(Objection, row.objection_id)
    campaign = db.session.get(Campaign, objection.campaign_id)
    answering = user.department_id == objection.department_id and user.has_role("official", "department_admin")
    overseeing = (user.has_role("supervisor", "admin") and scope.covers_campaign(user, campaign)) \
        or auditor.covers(user, campaign)
    if not (answering or overseeing):
        raise Forbidden("只有答复该异议的牵头部门可以查看异议材料")
    return evidence.opened(row)


def _objection_for(ctx) -> Objection:
    return first_or_404(select(Objection).where(Objection.instance_id == ctx.task.instance_id), "异议记录不存在")


def review_context(ctx) -> FormContext:
    objection = _objection_for(ctx)
    items = list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.id.in_(objection.item_ids))
                                    .order_by(ChecklistItem.position)))
    inspection = db.session.get(Inspection, objection.inspection_id)
    return FormContext(info={"objection": objection, "items": items, "inspection": inspection,
                             "files": files_of(objection.id)})


def record_review(ctx, data: dict) -> dict:
    objection = _objection_for(ctx)
    if ctx.user.department_id != objection.department_id:
        raise Forbidden("只有牵头部门可以答复企业异议")
    if objection.status != "open":
        raise Conflict("该异议已答复")
    if data["decision"] == "correct" and not _corrected_since(objection):
        raise ValidationFailed({"decision": ["请先在检查记录中提交更正，再选择“已更正检查结果”"]})
    objection.status = OUTCOMES[data["decision"]]
    objection.response, objection.decided_at, objection.decided_by_id = data["response"], clock.now(), ctx.user.id
    enterprise = objection_enterprise(objection)
    if enterprise.contact_mobile:
        outbox.enqueue(enterprise.id, enterprise.contact_mobile, "objection_outcome",
                       f"【一业一查】您对检查结果提出的异议已答复：{OUTCOME_WORDS[objection.status]}。"
                       f"答复意见：{data['response']}")
    audit.record(ctx.user, f"objection.{data['decision']}", "objection", objection.id,
                 campaign_id=objection.campaign_id, inspection_id=objection.inspection_id,
                 on_time=clock.today() <= objection.due_on)
    return {"decision": data["decision"]}


def objection_enterprise(objection: Objection):
    return db.session.get(Inspection, objection.inspection_id).enterprise


def _corrected_since(objection: Objection) -> bool:
    return db.session.scalar(select(InspectionRevision.id).where(
        InspectionRevision.inspection_id == objection.inspection_id,
        InspectionRevision.created_at >= objection.created_at).limit(1)) is not None
