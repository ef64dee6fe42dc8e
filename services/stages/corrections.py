"""Corrections of a final inspection result: a new revision with a reason, never an edit in place.

A correction of a result already on the public page is published at once as the new
current revision (the page shows that it was corrected and why); the lead department
approved the publication, and withholding a correction would leave a wrong result public.
"""
from marshmallow import ValidationError

from extensions import db
from forms.loader import load_form, validate_submission
from models import Inspection, InspectionRevision, User
from services import audit
from services.workflow import clock
from services.stages import inspections
from services.errors import Conflict, Forbidden, ValidationFailed
from services.lookup import get_or_404


def can_correct(user: User, inspection: Inspection) -> bool:
    return (any(o.user_id == user.id for o in inspection.officers)
            or (user.department_id is not None and user.department_id == inspection.campaign.lead_department_id
                and user.has_role("official", "department_admin")))


def correct(actor: User, inspection_id: int, submission: dict, reason: str) -> InspectionRevision:
    inspection = get_or_404(Inspection, inspection_id, "检查记录不存在")
    if not can_correct(actor, inspection):
        raise Forbidden("只有该企业的检查人员或牵头部门可以更正检查结果")
    if inspection.status != "submitted":
        raise Conflict("检查记录尚未定稿，请在签字前直接修改")
    reason = (reason or "").strip()
    if not 4 <= len(reason) <= 1000:
        raise ValidationFailed({"reason": ["请说明更正理由（4–1000 字）"]})
    context = inspections.form_context(inspection, None)
    try:
        data = validate_submission(load_form("joint_inspection"), context, submission)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages) from exc
    inspections.check_rules(data, inspection)
    before = inspections.snapshot(inspection)
    inspections.apply(inspection, data)
    db.session.flush()
    after = inspections.snapshot(inspection)
    if after == before:
        raise ValidationFailed({"_schema": ["内容没有变化，无需更正"]})
    now = clock.now()
    number = inspection.revision + 1
    revision = InspectionRevision(number=number, data=after, reason=reason, created_by_id=actor.id, created_at=now)
    if inspection.published_at is not None:
        revision.published_at = now
        inspection.published_revision = number
    inspection.revisions.append(revision)
    inspection.revision = number
    audit.record(actor, "inspection.correct", "inspection", inspection.id, campaign_id=inspection.campaign_id,
                 revision=number, reason=reason, before=before, after=after,
                 republished=revision.published_at is not None)
    db.session.commit()
    return revision
