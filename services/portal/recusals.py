"""Recusal requests (申请回避): the enterprise names an officer by certificate number (as printed on documents
it received) and a reason; a department admin of that officer's department decides.

An accepted application creates the RecusalRequest row every later draw already honours
(services/draw/inputs.py). Unknown certificate numbers get the same answer as known ones and are stored the
same way (with no officer and no department, so nobody decides them): the portal never tells whether a
certificate number belongs to an officer.
"""
from sqlalchemy import select

from extensions import db
from models import Enterprise, RecusalApplication, RecusalRequest, User
from services import audit
from services.errors import Conflict, Forbidden, ValidationFailed
from services.portal import outbox
from services.workflow import clock, timers
from services.lookup import get_or_404

NOTICE_KIND = "recusal_application"
STATUS_WORDS = {"accepted": "同意回避", "rejected": "不予回避"}


def apply(enterprise_id: int, cert_no: str, reason: str) -> RecusalApplication:
    cert_no, reason = (cert_no or "").strip().upper(), (reason or "").strip()
    errors = {}
    if not 4 <= len(cert_no) <= 40:
        errors["cert_no"] = ["请填写执法证件号（见检查文书）"]
    if not 5 <= len(reason) <= 300:
        errors["reason"] = ["请写明申请回避的理由（5–300 字）"]
    if errors:
        raise ValidationFailed(errors)
    if db.session.scalar(select(RecusalApplication.id).where(
            RecusalApplication.enterprise_id == enterprise_id, RecusalApplication.cert_no == cert_no,
            RecusalApplication.status.in_(("pending", "accepted")))):
        raise Conflict("已就该证件号提出过回避申请")
    officer = db.session.scalars(select(User).where(User.cert_no == cert_no)).first()
    application = RecusalApplication(enterprise_id=enterprise_id, cert_no=cert_no, reason=reason,
                                     user_id=officer.id if officer else None,
                                     department_id=officer.department_id if officer else None,
                                     status="pending", submitted_at=clock.now())
    db.session.add(application)
    db.session.flush()
    if application.department_id is not None:
        enterprise = db.session.get(Enterprise, enterprise_id)
        timers.notify(f"{enterprise.name} 申请执法人员回避，请部门管理员审核", NOTICE_KIND,
                      department_id=application.department_id, link="/applications/")
    audit.record(None, "recusal_application.submit", "recusal_application", application.id,
                 enterprise_id=enterprise_id, known_officer=officer is not None)
    db.session.commit()
    return application


def for_enterprise(enterprise_id: int) -> list[RecusalApplication]:
    return list(db.session.scalars(select(RecusalApplication).where(
        RecusalApplication.enterprise_id == enterprise_id).order_by(RecusalApplication.id.desc())))


def _may_decide(user: User, application: RecusalApplication) -> bool:
    return (user.has_role("department_admin") and user.department_id is not None
            and user.department_id == application.department_id)


def pending_for(user: User) -> list[RecusalApplication]:
    if not user.has_role("department_admin") or user.department_id is None:
        return []
    return list(db.session.scalars(select(RecusalApplication).where(
        RecusalApplication.department_id == user.department_id, RecusalApplication.status == "pending")
        .order_by(RecusalApplication.submitted_at)))


def decide(user: User, application_id: int, accept: bool, response: str) -> RecusalApplication:
    application = get_or_404(RecusalApplication, application_id, "回避申请不存在")
    if not _may_decide(user, application):
        raise Forbidden("只有该执法人员所在部门的管理员可以审核回避申请")
    if application.status != "pending":
        raise Conflict("该回避申请已审核")
    response = (response or "").strip()
    if not accept and not 5 <= len(response) <= 2000:
        raise ValidationFailed({"response": ["不予回避的，请写明理由（5–2000 字）"]})
    application.status = "accepted" if accept else "rejected"
    application.response, application.decided_at, application.decided_by_id = response or None, clock.now(), user.id
    if accept:
        honoured = RecusalRequest(enterprise_id=application.enterprise_id, user_id=application.user_id,
                                  reason=application.reason, requested_at=application.submitted_at)
        db.session.add(honoured)
        db.session.flush()
        application.recusal_request_id = honoured.id
    enterprise = db.session.get(Enterprise, application.enterprise_id)
    if enterprise.contact_mobile:
        outbox.enqueue(enterprise.id, enterprise.contact_mobile, "recusal_outcome",
                       f"【一业一查】您就执法证件号 {application.cert_no} 提出的回避申请已审核："
                       f"{STATUS_WORDS[application.status]}。{response}")
    audit.record(user, f"recusal_application.{application.status}", "recusal_application", application.id,
                 enterprise_id=application.enterprise_id, officer_id=application.user_id)
    db.session.commit()
    return application
