"""Credit repair (信用修复): once a rectification has been verified and closed, the enterprise applies; the
campaign's lead department grants or refuses it with reasons; the decisions are exported as XLSX.

The rule applied: only a closed rectification order found rectified (follow_up.rectified) qualifies, one
application per order at a time (a refused one may be made again), decided by the lead department.
"""
from typing import IO

from sqlalchemy import select

from extensions import db
from models import Campaign, CreditRepair, Enterprise, FollowUp, Inspection, User
from services import audit
from services.directory.export import write_xlsx
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.portal import outbox
from services.workflow import clock, timers
from services.lookup import get_or_404

NOTICE_KIND = "credit_repair"
STATUS_WORDS = {"pending": "待审核", "granted": "准予信用修复", "refused": "不予信用修复"}


def eligible_orders(enterprise_id: int) -> list[FollowUp]:
    """The enterprise's closed, verified rectification orders without a pending or granted repair."""
    taken = select(CreditRepair.follow_up_id).where(CreditRepair.status.in_(("pending", "granted")))
    return list(db.session.scalars(select(FollowUp).join(Inspection).where(
        Inspection.enterprise_id == enterprise_id, FollowUp.kind == "rectify", FollowUp.status == "closed",
        FollowUp.rectified.is_(True), FollowUp.id.not_in(taken)).order_by(FollowUp.id)))


def for_enterprise(enterprise_id: int) -> list[CreditRepair]:
    return list(db.session.scalars(select(CreditRepair).where(CreditRepair.enterprise_id == enterprise_id)
                                   .order_by(CreditRepair.id.desc())))


def apply(enterprise_id: int, follow_up_id: int | None, statement: str) -> CreditRepair:
    follow_up = db.session.get(FollowUp, follow_up_id) if follow_up_id else None
    if follow_up is None or follow_up.inspection.enterprise_id != enterprise_id:
        raise NotFound("整改记录不存在")
    if follow_up not in eligible_orders(enterprise_id):
        raise Conflict("该整改尚未经核实办结，或已申请信用修复")
    statement = (statement or "").strip()
    if not 5 <= len(statement) <= 2000:
        raise ValidationFailed({"statement": ["请说明申请信用修复的理由和已履行的义务（5–2000 字）"]})
    campaign = db.session.get(Campaign, follow_up.inspection.campaign_id)
    repair = CreditRepair(enterprise_id=enterprise_id, follow_up_id=follow_up.id, statement=statement,
                          department_id=campaign.lead_department_id, status="pending", submitted_at=clock.now())
    db.session.add(repair)
    db.session.flush()
    timers.notify_lead(campaign, f"{follow_up.inspection.enterprise.name} 申请信用修复，请审核", NOTICE_KIND,
                       link="/applications/")
    audit.record(None, "credit_repair.apply", "credit_repair", repair.id, campaign_id=campaign.id,
                 enterprise_id=enterprise_id, follow_up_id=follow_up.id)
    db.session.commit()
    return repair


def _may_decide(user: User, repair: CreditRepair) -> bool:
    return user.department_id == repair.department_id and user.has_role("official", "department_admin")


def pending_for(user: User) -> list[CreditRepair]:
    if user.department_id is None or not user.has_role("official", "department_admin"):
        return []
    return list(db.session.scalars(select(CreditRepair).where(
        CreditRepair.department_id == user.department_id, CreditRepair.status == "pending")
        .order_by(CreditRepair.submitted_at)))


def decide(user: User, repair_id: int, grant: bool, response: str) -> CreditRepair:
    repair = get_or_404(CreditRepair, repair_id, "信用修复申请不存在")
    if not _may_decide(user, repair):
        raise Forbidden("只有牵头部门可以审核信用修复申请")
    if repair.status != "pending":
        raise Conflict("该信用修复申请已审核")
    response = (response or "").strip()
    if not grant and not 5 <= len(response) <= 2000:
        raise ValidationFailed({"response": ["不予信用修复的，请写明理由（5–2000 字）"]})
    repair.status = "granted" if grant else "refused"
    repair.response, repair.decided_at, repair.decided_by_id = response or None, clock.now(), user.id
    enterprise = db.session.get(Enterprise, repair.enterprise_id)
    if enterprise.contact_mobile:
        outbox.enqueue(enterprise.id, enterprise.contact_mobile, "credit_repair_outcome",
                       f"【一业一查】您的信用修复申请已审核：{STATUS_WORDS[repair.status]}。{response}")
    audit.record(user, f"credit_repair.{repair.status}", "credit_repair", repair.id,
                 enterprise_id=repair.enterprise_id, follow_up_id=repair.follow_up_id)
    db.session.commit()
    return repair


EXPORT_HEADERS = ["统一社会信用代码", "企业名称", "信用风险分类", "整改期限", "申请时间", "审核结果", "审核时间", "审核意见"]


def export(user: User) -> IO[bytes]:
    """The department's decided and pending repairs, with the enterprise's credit class (XLSX)."""
    if user.department_id is None or not user.has_role("official", "department_admin"):
        raise Forbidden("只有部门人员可以导出信用修复记录")
    rows = db.session.execute(select(CreditRepair, Enterprise, FollowUp)
                              .join(Enterprise, Enterprise.id == CreditRepair.enterprise_id)
                              .join(FollowUp, FollowUp.id == CreditRepair.follow_up_id)
                              .where(CreditRepair.department_id == user.department_id)
                              .order_by(CreditRepair.id)).all()
    return write_xlsx("信用修复", EXPORT_HEADERS, (
        [e.uscc, e.name, e.credit_class, f.deadline.isoformat(), clock.local_date(r.submitted_at).isoformat(),
         STATUS_WORDS[r.status], clock.local_date(r.decided_at).isoformat() if r.decided_at else "",
         r.response or ""] for r, e, f in rows))
