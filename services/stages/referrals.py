"""Referrals (移交 / 吹哨报到): hand a finding in another department's domain over with its evidence.

Each referral runs as a small `referral` process whose one task goes to the receiving
department; the referral row links it to the campaign and inspection. An acknowledgement
not given by the deadline (working days, a setting) escalates to the supervisor by a timer.
"""
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, or_, select

from extensions import db
from forms.loader import FormContext
from models import Department, Evidence, HumanTask, Inspection, Referral, User
from services import audit
from services.org import scope
from services.workflow import calendar
from services.workflow import clock, escalations
from services.workflow import runtime
from services.workflow import timers
from services.errors import Conflict, Forbidden, ValidationFailed
from services.stages import theme_scope
from services.lookup import first_or_404, get_or_404

OVERDUE_TIMER = "referral_ack_overdue"
DECISIONS = {"accept": "accepted", "return": "returned"}


def create(actor: User, inspection_id: int, to_department_id: int, finding: str,
           checklist_item_id: int | None = None, evidence_ids: list[int] | None = None) -> Referral:
    inspection = get_or_404(Inspection, inspection_id, "检查记录不存在")
    officer = next((o for o in inspection.officers if o.user_id == actor.id), None)
    if officer is None:
        raise Forbidden("只有匹配到该企业的检查人员可以移交问题线索")
    target = db.session.get(Department, to_department_id) if to_department_id else None
    errors = {}
    if target is None:
        errors["to_department_id"] = ["请选择接收部门"]
    elif target.id == officer.department_id:
        errors["to_department_id"] = ["本部门职责范围内的问题无需移交"]
    finding = (finding or "").strip()
    if not 5 <= len(finding) <= 2000:
        errors["finding"] = ["请写明发现的问题（5–2000 字）"]
    if checklist_item_id is not None and checklist_item_id not in {i.id for i in theme_scope.revision_for(inspection).items}:
        errors["checklist_item_id"] = ["检查项不存在"]
    proofs = list(db.session.scalars(select(Evidence).where(Evidence.id.in_(evidence_ids or []))))
    if len(proofs) != len(set(evidence_ids or [])) or any(e.inspection_id != inspection.id for e in proofs):
        errors["evidence_ids"] = ["只能附上本次检查上传的证据"]
    if errors:
        raise ValidationFailed(errors)
    due = calendar.deadline(clock.today(), current_app.config["REFERRAL_WORKING_DAYS"])
    referral = Referral(campaign_id=inspection.campaign_id, inspection_id=inspection.id,
                        from_department_id=officer.department_id, to_department_id=target.id,
                        checklist_item_id=checklist_item_id, finding=finding, status="open", due_on=due.due,
                        due_provisional=due.provisional, created_by_id=actor.id, created_at=clock.now(),
                        evidence=proofs)
    db.session.add(referral)
    db.session.flush()
    instance = runtime.start_instance("referral", {"referral_id": referral.id, "partner_department_id": target.id},
                                      region_id=target.region_id)
    referral.instance_id = instance.id
    _link_tasks(instance.id, referral)
    timers.schedule(OVERDUE_TIMER, clock.end_of_day(due.due), campaign_id=referral.campaign_id,
                    instance_id=instance.id, subject_type="referral", subject_id=referral.id)
    timers.notify(f"收到{referral.from_department.name}移交的问题线索（{inspection.enterprise.name}），请于 {due.due} 前签收处理",
                  "referral", department_id=target.id, campaign_id=referral.campaign_id)
    audit.record(actor, "referral.create", "referral", referral.id, campaign_id=referral.campaign_id,
                 inspection_id=inspection.id, to_department_id=target.id, evidence_ids=[e.id for e in proofs],
                 due_on=due.due.isoformat())
    db.session.commit()
    return referral


def _link_tasks(instance_id: int, referral: Referral) -> None:
    # The instance carries no campaign id (the runtime treats such instances as campaign
    # instances); the task rows get the campaign and the working-day deadline from the setting.
    for task in db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)):
        task.campaign_id = referral.campaign_id
        task.due_at = clock.end_of_day(referral.due_on)


def _referral_for(ctx) -> Referral:
    return first_or_404(select(Referral).where(Referral.instance_id == ctx.task.instance_id), "移交记录不存在")


def decision_context(ctx) -> FormContext:
    return FormContext(info={"referral": _referral_for(ctx)})


def record_decision(ctx, data: dict) -> dict:
    referral = _referral_for(ctx)
    if ctx.user.department_id != referral.to_department_id:
        raise Forbidden("只有接收部门可以签收或退回")
    if referral.status != "open":
        raise Conflict("该移交已处理")
    referral.status = DECISIONS[data["decision"]]
    referral.decided_by_id, referral.decided_at, referral.decision_note = ctx.user.id, clock.now(), data["note"]
    timers.cancel(kind=OVERDUE_TIMER, subject_type="referral", subject_id=referral.id)
    verb = "已签收处理" if referral.status == "accepted" else "已退回"
    timers.notify(f"{referral.to_department.name}{verb}移交的问题线索（{referral.inspection.enterprise.name}）：{data['note']}",
                  "referral_decided", department_id=referral.from_department_id, campaign_id=referral.campaign_id)
    audit.record(ctx.user, f"referral.{data['decision']}", "referral", referral.id, campaign_id=referral.campaign_id,
                 note=data["note"], on_time=clock.today() <= referral.due_on)
    return {"decision": data["decision"]}


def escalate_unacknowledged(timer) -> None:
    referral = db.session.get(Referral, timer.subject_id)
    if referral is None or referral.status != "open":
        return
    referral.escalated_at = clock.now()
    message = (f"移交逾期未签收：{referral.from_department.name} → {referral.to_department.name}，"
               f"{referral.inspection.enterprise.name}（期限 {referral.due_on}）")
    escalations.escalate(message, "referral_overdue", supervisors=scope.supervisors_over(referral.campaign.region_id),
                         departments=[referral.to_department_id], campaign_id=referral.campaign_id)
    audit.record(None, "referral.escalate", "referral", referral.id, campaign_id=referral.campaign_id)


def for_inspection(inspection_id: int) -> list[Referral]:
    return list(db.session.scalars(select(Referral).where(Referral.inspection_id == inspection_id).order_by(Referral.id)))


def for_department(user: User) -> list[Referral]:
    """Referrals the user's department sent or received (the supervisor sees all)."""
    stmt = select(Referral).order_by(Referral.id.desc())
    if user.has_role("supervisor"):
        stmt = stmt.where(or_(scope.department_clause(user, Referral.to_department_id),
                              scope.department_clause(user, Referral.from_department_id)))
    else:
        if user.department_id is None:
            raise Forbidden("只有部门人员可以查看移交")
        stmt = stmt.where(or_(Referral.to_department_id == user.department_id,
                              Referral.from_department_id == user.department_id))
    return list(db.session.scalars(stmt.limit(500)))


@dataclass(frozen=True)
class ReferralFigures:
    total: int
    open: int
    accepted: int
    returned: int
    overdue: int          # still open past the deadline, or decided after it
    escalated: int


def figures(campaign_id: int | None = None, department_id: int | None = None) -> ReferralFigures:
    """Referral outcomes for follow-up and the performance figures (per campaign and/or receiving department)."""
    stmt = select(Referral)
    if campaign_id is not None:
        stmt = stmt.where(Referral.campaign_id == campaign_id)
    if department_id is not None:
        stmt = stmt.where(Referral.to_department_id == department_id)
    rows = db.session.scalars(stmt).all()
    today = clock.today()

    def late(r: Referral) -> bool:
        decided = clock.local_date(r.decided_at) if r.decided_at else None
        return (decided or today) > r.due_on

    return ReferralFigures(total=len(rows), open=sum(r.status == "open" for r in rows),
                           accepted=sum(r.status == "accepted" for r in rows),
                           returned=sum(r.status == "returned" for r in rows),
                           overdue=sum(late(r) for r in rows), escalated=sum(r.escalated_at is not None for r in rows))


def count_open(department_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Referral).where(
        Referral.to_department_id == department_id, Referral.status == "open"))
