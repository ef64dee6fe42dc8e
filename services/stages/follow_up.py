"""Follow-up (后续监管服务): rectification and re-inspection, overdue escalation, transfers,
credit commitment letters and service records, and closing a campaign's follow-up stage.

Closing counts down Diagnosis.open_follow_ups with one conditional row update, so the last
follow-up of a campaign is found without counting the campaign's rows (and two closing at
once cannot both miss it: the update serialises them on the diagnosis row).
"""
from datetime import date

from sqlalchemy import or_, select, update

from extensions import db
from forms.loader import FormContext
from models import (Campaign, CampaignDepartment, CreditCommitment, Diagnosis, FollowUp, Inspection,
                    ServiceRecord, Transfer, User)
from services import audit
from services.portal import claims
from services.stages import cases
from services.stages import evidence, participation
from services.workflow import clock, escalations
from services.workflow import runtime
from services.workflow import timers
from services.errors import Conflict, Forbidden, ValidationFailed
from services.lookup import get_or_404

OVERDUE_KIND = "follow_up.overdue"
SERVICE_KINDS = {"policy": "送政策", "law": "送法律", "guidance": "行政指导"}


def open_follow_up(inspection: Inspection) -> FollowUp:
    found = next((f for f in inspection.follow_ups if f.status == "open"), None)
    if found is None:
        raise Conflict("该企业没有待办的整改")
    return found


def attach_evidence(actor: User, inspection_id: int, uploads: list) -> list:
    """Photos or PDFs proving a rectification, on the enterprise's open follow-up: the same checks and storage as
    inspection evidence (services/stages/evidence.py), all or nothing, stored before the form is checked."""
    inspection = get_or_404(Inspection, inspection_id, "检查记录不存在")
    return evidence.store(actor, inspection.id, uploads, follow_up_id=open_follow_up(inspection).id)


def _with_claim(ctx, status: str | None) -> FormContext:
    # The enterprise's online claim (what it says it fixed, with its files) and the officials' own proof files
    # are shown beside the form.
    follow_up = open_follow_up(ctx.inspection)
    claim = claims.latest(follow_up.id, status)
    return FormContext(info={"enterprise": ctx.inspection.enterprise, "follow_up": follow_up,
                             "inspection": ctx.inspection, "claim": claims.view_of(claim) if claim else None,
                             "evidence": evidence.for_follow_up(follow_up.id)})


def rectification_context(ctx) -> FormContext:
    return _with_claim(ctx, "submitted")


def record_rectification(ctx, data: dict) -> dict:
    follow_up = open_follow_up(ctx.inspection)
    follow_up.rectified = data["rectified"] == "yes"
    follow_up.rectification, follow_up.evidence = data["rectification"], data.get("evidence")
    follow_up.rectified_at = clock.now() if follow_up.rectified else None
    claims.settle(ctx.user, follow_up, follow_up.rectified, data["rectification"])
    audit.record(ctx.user, "follow_up.rectification", "follow_up", follow_up.id, campaign_id=ctx.campaign.id,
                 rectified=follow_up.rectified, evidence=bool(follow_up.evidence))
    reinspect = follow_up.rectified and follow_up.reinspect
    if not follow_up.rectified:
        _to_case(ctx.user, ctx.inspection, f"逾期未整改转立案：{data['rectification']}")
    if not reinspect:
        close(ctx.user, follow_up)
    return {"rectified": data["rectified"], "reinspect": reinspect}


def reinspection_context(ctx) -> FormContext:
    return _with_claim(ctx, "accepted")


def record_reinspection(ctx, data: dict) -> dict:
    follow_up = open_follow_up(ctx.inspection)
    follow_up.reinspection = data["finding"]
    confirmed = data["confirmed"] == "yes"
    if not confirmed:
        follow_up.rectified = False
        _to_case(ctx.user, ctx.inspection, f"复查未整改到位转立案：{data['finding']}")
    audit.record(ctx.user, "follow_up.reinspection", "follow_up", follow_up.id, campaign_id=ctx.campaign.id,
                 confirmed=confirmed)
    close(ctx.user, follow_up)
    return {"confirmed": data["confirmed"]}


def _to_case(actor: User, inspection: Inspection, note: str) -> None:
    # 不整改的转立案: the handling class changes, and the record says why.
    inspection.handling, inspection.handling_note = "case", note
    cases.open_case(actor, inspection, note)


def close(actor: User, follow_up: FollowUp) -> None:
    follow_up.status, follow_up.closed_by_id, follow_up.closed_at = "closed", actor.id, clock.now()
    timers.cancel(kind=OVERDUE_KIND, subject_type="follow_up", subject_id=follow_up.id)
    audit.record(actor, "follow_up.close", "follow_up", follow_up.id, campaign_id=follow_up.campaign_id,
                 rectified=follow_up.rectified)
    db.session.flush()
    _count_down(follow_up.campaign_id or follow_up.inspection.campaign_id)


def _count_down(campaign_id: int) -> None:
    remaining = db.session.execute(
        update(Diagnosis).where(Diagnosis.campaign_id == campaign_id, Diagnosis.open_follow_ups > 0)
        .values(open_follow_ups=Diagnosis.open_follow_ups - 1).returning(Diagnosis.open_follow_ups)
        .execution_options(synchronize_session=False)).scalar()
    if remaining == 0:
        runtime.send_message(runtime.campaign_instance(campaign_id), "follow_ups_closed")


def rectification_overdue(timer) -> None:
    """An open rectification past its deadline: flag it and tell the departments, once."""
    follow_up = db.session.get(FollowUp, timer.subject_id)
    if follow_up is None or follow_up.status != "open" or follow_up.escalated_at is not None:
        return
    follow_up.escalated_at = clock.now()
    inspection = follow_up.inspection
    campaign = inspection.campaign
    message = (f"{inspection.enterprise.name} 的整改已超过期限（{follow_up.deadline.isoformat()}），"
               f"请督促整改或转立案")
    link = f"/follow-up/enterprises/{inspection.enterprise_id}"
    notified = sorted({campaign.lead_department_id, cases.responsible_department(inspection)})
    escalations.escalate(message, OVERDUE_KIND, departments=notified, campaign_id=campaign.id, link=link)
    audit.record(None, "follow_up.overdue", "follow_up", follow_up.id, campaign_id=campaign.id,
                 deadline=follow_up.deadline.isoformat(), notified_departments=notified)


# --- transfers, credit commitments, service records -------------------------------------------------

def _in_campaign(user: User, campaign_id: int) -> bool:
    return db.session.scalar(select(CampaignDepartment.id).where(
        CampaignDepartment.campaign_id == campaign_id, CampaignDepartment.department_id == user.department_id,
        CampaignDepartment.status == "confirmed")) is not None


def acknowledge_transfer(user: User, transfer_id: int, *, acknowledged_by: str, receipt_no: str | None) -> Transfer:
    """Record the receiving authority's acknowledgement (回执); the lead department records it."""
    transfer = get_or_404(Transfer, transfer_id, "移送记录不存在")
    campaign = db.session.get(Campaign, transfer.campaign_id)
    if not (user.has_role("admin") or (user.department_id == campaign.lead_department_id
                                       and user.has_role("official", "department_admin"))):
        raise Forbidden("只有牵头部门可以登记移送回执")
    if transfer.status == "acknowledged":
        raise Conflict("该移送已登记回执")
    if not (acknowledged_by or "").strip():
        raise ValidationFailed({"acknowledged_by": ["请填写接收人"]})
    transfer.status, transfer.acknowledged_at = "acknowledged", clock.now()
    transfer.acknowledged_by, transfer.receipt_no = acknowledged_by.strip(), (receipt_no or "").strip() or None
    audit.record(user, "transfer.acknowledge", "transfer", transfer.id, campaign_id=transfer.campaign_id,
                 acknowledged_by=transfer.acknowledged_by, receipt_no=transfer.receipt_no)
    db.session.flush()
    _count_down(transfer.campaign_id)
    runtime.follow_stage(campaign)  # a kind whose stage follows its work (a complaint's): the receipt may close it
    db.session.commit()
    return transfer


def record_transfer_outcome(user: User, transfer_id: int, *, outcome: str) -> Transfer:
    """两法衔接: what the receiving authority (the police, another bureau) did with an acknowledged transfer
    (立案侦查 / 不予立案 / 退回 …), as the lead department learns it."""
    transfer = get_or_404(Transfer, transfer_id, "移送记录不存在")
    campaign = db.session.get(Campaign, transfer.campaign_id)
    if not (user.has_role("admin") or (user.department_id == campaign.lead_department_id
                                       and user.has_role("official", "department_admin"))):
        raise Forbidden("只有牵头部门可以登记移送的处理结果")
    if transfer.status != "acknowledged":
        raise Conflict("接收机关签收（登记回执）后才能登记处理结果")
    text = (outcome or "").strip()
    if not text or len(text) > 2000:
        raise ValidationFailed({"outcome": ["请填写接收机关的处理结果（不超过 2000 字）"]})
    transfer.outcome, transfer.outcome_at = text, clock.now()
    audit.record(user, "transfer.outcome", "transfer", transfer.id, campaign_id=transfer.campaign_id, outcome=text)
    db.session.commit()
    return transfer


def transfer_enterprise(transfer_id: int) -> int:
    """The enterprise a transfer concerns (its follow-up page shows the receipt form)."""
    return get_or_404(Transfer, transfer_id, "移送记录不存在").enterprise_id


def enterprise_follow_up(user: User, enterprise_id: int) -> dict:
    """Everything follow-up holds on one enterprise, for an official or the supervisor: grading, rectification,
    cases and transfers only of the campaigns the user may see (participation, the campaign page's rule)."""
    enterprise = participation.require_enterprise(user, enterprise_id)
    from models import Case, HandlingDecision  # local: only this view needs them

    def visible(model, campaign_column, *, optional: bool = False):
        condition = participation.campaign_condition(user, campaign_column)
        if optional:  # a letter or a service not tied to a campaign belongs to the enterprise, not to a campaign
            condition = or_(campaign_column.is_(None), condition)
        return db.session.scalars(select(model).where(model.enterprise_id == enterprise_id, condition)
                                  .order_by(model.id)).all()
    return {
        "enterprise": enterprise,
        "decisions": visible(HandlingDecision, HandlingDecision.campaign_id),
        "follow_ups": db.session.scalars(select(FollowUp).join(Inspection).where(
            Inspection.enterprise_id == enterprise_id, participation.campaign_condition(user, Inspection.campaign_id))
            .order_by(FollowUp.id)).all(),
        "cases": db.session.scalars(select(Case).where(Case.enterprise_id == enterprise_id, or_(
            participation.campaign_condition(user, Case.campaign_id),
            Case.department_id == user.department_id)).order_by(Case.id)).all(),  # the case list's own rule too
        "transfers": visible(Transfer, Transfer.campaign_id),
        "commitments": visible(CreditCommitment, CreditCommitment.campaign_id, optional=True),
        "services": visible(ServiceRecord, ServiceRecord.campaign_id, optional=True),
    }


def _check_official(user: User, enterprise_id: int, campaign_id: int | None) -> None:
    participation.require_enterprise(user, enterprise_id)
    if not (user.department_id and user.has_role("official", "department_admin")):
        raise Forbidden("只有部门执法人员可以登记")
    if campaign_id is not None and not _in_campaign(user, campaign_id):
        raise Forbidden("您所在部门未参与该检查活动")


def add_credit_commitment(user: User, enterprise_id: int, *, content: str, signed_on: date | None,
                          campaign_id: int | None = None) -> CreditCommitment:
    _check_official(user, enterprise_id, campaign_id)
    errors = {}
    if not (content or "").strip():
        errors["content"] = ["请填写承诺内容"]
    if signed_on is None or signed_on > clock.today():
        errors["signed_on"] = ["请填写不晚于今天的签署日期"]
    if errors:
        raise ValidationFailed(errors)
    letter = CreditCommitment(enterprise_id=enterprise_id, campaign_id=campaign_id, content=content.strip(),
                              signed_on=signed_on, recorded_by_id=user.id, recorded_at=clock.now())
    db.session.add(letter)
    db.session.flush()
    audit.record(user, "credit_commitment.add", "credit_commitment", letter.id, campaign_id=campaign_id,
                 enterprise_id=enterprise_id)
    db.session.commit()
    return letter


def add_service_record(user: User, enterprise_id: int, *, kind: str, content: str, delivered_on: date | None,
                       campaign_id: int | None = None) -> ServiceRecord:
    _check_official(user, enterprise_id, campaign_id)
    errors = {}
    if kind not in SERVICE_KINDS:
        errors["kind"] = ["服务类型无效"]
    if not (content or "").strip():
        errors["content"] = ["请填写服务内容"]
    if delivered_on is None or delivered_on > clock.today():
        errors["delivered_on"] = ["请填写不晚于今天的日期"]
    if errors:
        raise ValidationFailed(errors)
    record = ServiceRecord(enterprise_id=enterprise_id, campaign_id=campaign_id, kind=kind, content=content.strip(),
                           delivered_on=delivered_on, recorded_by_id=user.id, recorded_at=clock.now())
    db.session.add(record)
    db.session.flush()
    audit.record(user, "service_record.add", "service_record", record.id, campaign_id=campaign_id,
                 enterprise_id=enterprise_id, kind=kind)
    db.session.commit()
    return record
