"""Registering a complaint: what was received, from whom, about which enterprise, and its files.

Attachments go through the evidence checks (services/stages/evidence.py: kind by content, size) and are all
checked before any is written; a refused file stores nothing, neither the files nor the complaint. The triage
deadline is N working days (COMPLAINT_TRIAGE_WORKING_DAYS) after the day received; a timer escalates it.
"""
from datetime import date

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import Complaint, ComplaintAttachment, Department, Matter, User
from models.complaint import SOURCES
from services import audit
from services.errors import Forbidden, NotFound, ValidationFailed
from services.key_lists.lists import find_enterprise
from services.org import scope
from services.stages import evidence
from services.workflow import calendar, clock, timers

OVERDUE_KIND = "complaint.overdue"
CONTENT_LIMIT = 5000


def register(actor: User, data: dict, uploads: list[evidence.Upload] = ()) -> Complaint:
    if not actor.has_role("official", "department_admin") or actor.department_id is None:
        raise Forbidden("只有部门执法人员可以登记投诉举报")
    errors: dict[str, list[str]] = {}
    fields = _fields(actor, data, errors)
    if errors:
        raise ValidationFailed(errors)
    checked = evidence.check_all([u for u in uploads if u.filename], set())
    stored, written = evidence.write_all(checked)
    try:
        complaint = _record(actor, fields, stored)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        evidence.discard(written)
        raise
    return complaint


def _fields(actor: User, data: dict, errors: dict) -> dict:
    def fail(field, message):
        errors.setdefault(field, []).append(message)

    source = data.get("source") or ""
    if source not in SOURCES:
        fail("source", "请选择投诉举报来源")
    enterprise = None
    try:
        enterprise = find_enterprise(actor, data.get("uscc") or "")
    except ValidationFailed as exc:
        errors.update(exc.errors)
    department = db.session.get(Department, _int(data.get("department_id")))
    if department is None or not scope.covers_department(actor, department.id):
        fail("department_id", "请选择您管辖区域内的承办部门")
    matter_ids = [_int(m) for m in data.get("matter_ids") or []]
    matters = list(db.session.scalars(select(Matter).where(Matter.id.in_(matter_ids)))) if matter_ids else []
    if len(matters) != len(set(matter_ids)):
        fail("matter_ids", "监管事项不存在")
    content = (data.get("content") or "").strip()
    if not content:
        fail("content", "请填写投诉举报内容")
    elif len(content) > CONTENT_LIMIT:
        fail("content", f"内容不超过 {CONTENT_LIMIT} 字")
    received_on = _received_on(data.get("received_on"), fail)
    return {"source": source, "enterprise": enterprise, "department": department, "matters": matters,
            "content": content, "received_on": received_on,
            "complainant": (data.get("complainant") or "").strip()[:100] or None,
            "contact": (data.get("contact") or "").strip()[:100] or None}


def _int(raw) -> int:
    """A form's id, 0 (matches nothing) when it is not a number."""
    return int(raw) if str(raw or "").isdigit() else 0


def _received_on(raw: str | None, fail) -> date:
    if not raw:
        return clock.today()
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        fail("received_on", "日期格式应为 YYYY-MM-DD")
        return clock.today()
    if value > clock.today():
        fail("received_on", "收到日期不能晚于今天")
    return value


def _record(actor: User, fields: dict, stored) -> Complaint:
    days = current_app.config["COMPLAINT_TRIAGE_WORKING_DAYS"]
    due = calendar.deadline(fields["received_on"], days).due
    now = clock.now()
    complaint = Complaint(
        code=f"pending-{now.timestamp()}", source=fields["source"], enterprise=fields["enterprise"],
        department=fields["department"], matters=fields["matters"], content=fields["content"],
        complainant=fields["complainant"], contact=fields["contact"], received_on=fields["received_on"],
        triage_due=due, status="open", registered_by_id=actor.id, registered_at=now)
    complaint.attachments = [ComplaintAttachment(sha256=sha, size=size, mime=mime, original_name=evidence.stored_name(u),
                                                 uploaded_by_id=actor.id, uploaded_at=now)
                             for u, sha, size, mime in stored]
    db.session.add(complaint)
    db.session.flush()
    complaint.code = f"TS-{fields['received_on'].year}-{complaint.id:05d}"
    timers.schedule(OVERDUE_KIND, clock.end_of_day(due), subject_type="complaint", subject_id=complaint.id)
    timers.notify(f"收到投诉举报 {complaint.code}（{complaint.enterprise.name}），请于 {due.isoformat()} 前完成分办",
                  "complaint_registered", department_id=complaint.department_id, link=f"/complaints/{complaint.id}")
    audit.record(actor, "complaint.register", "complaint", complaint.id, source=complaint.source,
                 enterprise_id=complaint.enterprise_id, department_id=complaint.department_id,
                 attachments=[a.sha256 for a in complaint.attachments], triage_due=due.isoformat())
    return complaint


def get_visible(actor: User, complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("未找到该投诉举报")
    departments = {complaint.department_id, complaint.referred_to_id}
    if not (actor.department_id in departments or (actor.has_role("supervisor", "auditor")
                                                   and scope.covers_department(actor, complaint.department_id))):
        raise Forbidden("只有承办部门、受理转办的部门和本区域的联席会办公室可以查看该投诉举报")
    return complaint


def visible(actor: User) -> list[Complaint]:
    query = select(Complaint).order_by(Complaint.id.desc())
    if actor.has_role("supervisor", "auditor"):
        query = query.where(scope.department_clause(actor, Complaint.department_id))
    else:
        query = query.where((Complaint.department_id == actor.department_id)
                            | (Complaint.referred_to_id == actor.department_id))
    return list(db.session.scalars(query))


def departments(actor: User) -> list[Department]:
    """The departments of the actor's region: who may be responsible for, or receive, a complaint."""
    return list(db.session.scalars(select(Department).where(scope.department_clause(actor, Department.id))
                                   .order_by(Department.id)))


def matters() -> list[Matter]:
    """The regulatory matters a complaint may concern (the catalogue's active ones, by department)."""
    return list(db.session.scalars(select(Matter).where(Matter.active.is_(True)).order_by(Matter.department_id, Matter.id)))
