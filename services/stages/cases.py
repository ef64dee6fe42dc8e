"""Cases (立案) opened from the diagnosis or from a failed rectification, and their progress to closing."""
from collections import Counter
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from extensions import db
from models import Case, ChecklistItem, Department, Inspection, ItemResult, Matter, User
from models.case import CASE_STATUSES, PROCEDURES
from services import audit
from services.org import scope
from services.workflow import clock
from services.errors import Forbidden, ValidationFailed
from services.lookup import get_or_404


def responsible_department(inspection: Inspection) -> int:
    """The department whose matters failed most in this inspection; the lead department otherwise."""
    failed = db.session.scalars(select(Matter.department_id).select_from(ItemResult)
                                .join(ChecklistItem, ChecklistItem.id == ItemResult.checklist_item_id)
                                .join(Matter, Matter.id == ChecklistItem.matter_id)
                                .where(ItemResult.inspection_id == inspection.id, ItemResult.result == "fail")).all()
    if failed:
        return Counter(failed).most_common(1)[0][0]
    return inspection.campaign.lead_department_id


def open_case(actor: User, inspection: Inspection, summary: str | None) -> Case:
    """Open a case (立案) for an inspected enterprise; the caller's transaction commits it."""
    department = db.session.get(Department, responsible_department(inspection))
    now = clock.now()
    year_count = db.session.scalar(select(func.count()).select_from(Case).where(
        Case.department_id == department.id, Case.opened_at >= now.replace(month=1, day=1, hour=0, minute=0,
                                                                           second=0, microsecond=0)))
    case = Case(case_no=f"{department.code.upper()}立〔{now.year}〕{year_count + 1:04d}号", enterprise_id=inspection.enterprise_id,
                department_id=department.id, campaign_id=inspection.campaign_id, inspection_id=inspection.id,
                procedure="general", status="open", summary=summary, opened_at=now)
    db.session.add(case)
    db.session.flush()
    audit.record(actor, "case.open", "enforcement_case", case.id, campaign_id=inspection.campaign_id,
                 inspection_id=inspection.id, case_no=case.case_no, department_id=department.id)
    return case


def _may_handle(user: User, case: Case) -> bool:
    return (user.has_role("supervisor", "admin") and scope.covers_department(user, case.department_id)) or (
        user.department_id == case.department_id and user.has_role("official", "department_admin"))


def visible_cases(user: User) -> list[Case]:
    query = select(Case).order_by(Case.id.desc())
    if not user.has_role("supervisor", "admin"):
        query = query.where(Case.department_id == user.department_id)
    else:
        query = query.where(scope.department_clause(user, Case.department_id))
    return list(db.session.scalars(query.limit(500)))


def get_case(user: User, case_id: int) -> Case:
    case = get_or_404(Case, case_id, "案件不存在")
    if not _may_handle(user, case):
        raise Forbidden("该案件不属于您所在部门")
    return case


def update_case(user: User, case_id: int, *, procedure: str, status: str, penalty: str | None,
                summary: str | None) -> Case:
    """Record the procedure, penalty and closing of a case (结案 needs the outcome written down)."""
    case = get_case(user, case_id)
    errors: dict = {}
    if procedure not in PROCEDURES:
        errors["procedure"] = ["程序类型无效"]
    if status not in CASE_STATUSES:
        errors["status"] = ["状态无效"]
    amount = None
    if penalty not in (None, ""):
        try:
            amount = Decimal(penalty)
            if amount < 0:
                raise InvalidOperation
        except InvalidOperation:
            errors["penalty"] = ["罚没金额应为非负数"]
    if status == "closed" and not (summary or "").strip():
        errors["summary"] = ["结案须填写处理结果"]
    if errors:
        raise ValidationFailed(errors)
    before = {"procedure": case.procedure, "status": case.status,
              "penalty": str(case.penalty_amount) if case.penalty_amount is not None else None}
    case.procedure, case.penalty_amount, case.summary = procedure, amount, (summary or "").strip() or case.summary
    if status == "closed" and case.status != "closed":
        case.closed_at = clock.now()
    case.status = status
    audit.record(user, "case.update", "enforcement_case", case.id, campaign_id=case.campaign_id, before=before,
                 after={"procedure": procedure, "status": status, "penalty": str(amount) if amount is not None else None})
    db.session.commit()
    return case
