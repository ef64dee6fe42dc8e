"""Joint cases (联合办案): a case that involves several departments, and their 会审 (joint case review).

The case's department asks up to four other departments in (at most five in all, the "三不" limit of a joint
action); a small case_review instance (workflows/case_review.bpmn) gives each involved department, its own
included, a parallel 会审 task; each opinion is kept on the case (CaseDepartment). Tasks are listed with the
case's campaign and enterprise, as objections are.
"""
from sqlalchemy import select

from extensions import db
from forms.loader import FormContext
from models import Case, CaseDepartment, Department, HumanTask, User
from services import audit
from services.errors import Conflict, Forbidden, ValidationFailed
from services.stages import cases
from services.workflow import clock, runtime

MAX_DEPARTMENTS = 5


def start_review(user: User, case_id: int, department_ids: list) -> Case:
    """Make the case joint and open the 会审: one task per involved department (the case's own first)."""
    case = cases.get_case(user, case_id)
    if case.status != "open":
        raise Conflict("已结案的案件不能提请会审")
    if case.joint_review_instance_id is not None:
        raise Conflict("该案件已提请会审")
    try:
        others = sorted({int(d) for d in department_ids} - {case.department_id})
    except (TypeError, ValueError):
        raise ValidationFailed({"department_ids": ["部门无效"]}) from None
    if not 1 <= len(others) <= MAX_DEPARTMENTS - 1:
        raise ValidationFailed({"department_ids": [f"请选择 1–{MAX_DEPARTMENTS - 1} 个共同办案的部门（联合办案最多 {MAX_DEPARTMENTS} 个部门）"]})
    if len(db.session.scalars(select(Department.id).where(Department.id.in_(others))).all()) != len(others):
        raise ValidationFailed({"department_ids": ["部门不存在"]})
    involved = [case.department_id, *others]
    db.session.add_all([CaseDepartment(case_id=case.id, department_id=d, role="lead" if d == case.department_id
                                       else "joint") for d in involved])
    instance = runtime.start_instance("case_review", {"case_id": case.id, "partner_ids": involved})
    case.joint_review_instance_id = instance.id
    for task in db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)):
        task.campaign_id, task.inspection_id = case.campaign_id, case.inspection_id  # listed with its enterprise
    audit.record(user, "case.joint_review", "enforcement_case", case.id, campaign_id=case.campaign_id,
                 department_ids=involved)
    db.session.commit()
    return case


def candidate_departments(case: Case) -> list[Department]:
    """Departments of the case department's region that may be asked in."""
    region_id = db.session.scalar(select(Department.region_id).where(Department.id == case.department_id))
    return list(db.session.scalars(select(Department).where(
        Department.region_id == region_id, Department.id != case.department_id).order_by(Department.id)))


def involved(case_id: int) -> list[CaseDepartment]:
    return list(db.session.scalars(select(CaseDepartment).where(CaseDepartment.case_id == case_id)
                                   .order_by(CaseDepartment.role.desc(), CaseDepartment.id)))


def _case_for(ctx) -> Case:
    case = db.session.scalars(select(Case).where(Case.joint_review_instance_id == ctx.task.instance_id)).first()
    if case is None:
        raise Forbidden("该会审任务没有对应的案件")
    return case


def review_context(ctx) -> FormContext:
    case = _case_for(ctx)
    return FormContext(info={"case": case, "involved": involved(case.id)})


def record_review(ctx, data: dict) -> dict:
    case = _case_for(ctx)
    row = db.session.scalars(select(CaseDepartment).where(
        CaseDepartment.case_id == case.id, CaseDepartment.department_id == ctx.task.department_id)).one()
    row.opinion, row.reviewed_by_id, row.reviewed_at = data["opinion"].strip(), ctx.user.id, clock.now()
    audit.record(ctx.user, "case.review_opinion", "enforcement_case", case.id, campaign_id=case.campaign_id,
                 department_id=row.department_id)
    return {}
