"""Triage of a complaint by its responsible department, the reply to the complainant, and escalation.

A targeted inspection (非随机) opens an inspection of the enterprise with `selection = "targeted"`, under a
campaign of kind "complaint" that holds only it: the two officers named by the department inspect it through
the usual case process (joint_inspection, countersign), and the performance review counts it apart from the
random draws. Its campaign process (workflows/campaign.bpmn, kind "complaint") skips the plan, report-in and
draw, waits for the inspection, has the result approved for publication (公示, within 20 working days, like
any campaign's: services/stages/publication.py) and ends there; the campaign itself stays open through the
handling decision and the follow-up (services/complaints/progress.py). What is published names the authority and
the result only: never the complaint, the complainant or their contact.
"""
from sqlalchemy import exists, select

from extensions import db
from models import Campaign, Complaint, Department, Inspection, InspectionOfficer, User, UserRole, WorkflowInstance
from services import audit
from services.complaints.register import OVERDUE_KIND, get_visible
from services.errors import Conflict, Forbidden, ValidationFailed
from services.org import scope
from services.stages import initiation
from services.workflow import clock, escalations, runtime, timers

DECISIONS = {"targeted": "定向检查", "referred": "转其他部门办理", "closed": "不予立项，办结"}
COMPLAINT_KIND = "complaint"


def triage(actor: User, complaint_id: int, data: dict) -> Complaint:
    complaint = get_visible(actor, complaint_id)
    if actor.department_id != complaint.department_id or not actor.has_role("official", "department_admin"):
        raise Forbidden("只有承办部门的执法人员可以分办该投诉举报")
    if complaint.status != "open":
        raise Conflict(f"投诉举报 {complaint.code} 已分办")
    decision, reason = data.get("decision") or "", (data.get("reason") or "").strip()
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": ["请选择分办结果"]})
    if not reason:
        raise ValidationFailed({"reason": ["请填写分办理由"]})
    if decision == "targeted":
        complaint.inspection = _targeted_inspection(actor, complaint, data.get("officer_ids") or [])
    elif decision == "referred":
        complaint.referred_to = _referral_department(actor, complaint, data.get("referred_to_id"))
        timers.notify(f"{complaint.department.name} 将投诉举报 {complaint.code}（{complaint.enterprise.name}）转贵部门办理",
                      "complaint_referred", department_id=complaint.referred_to.id, link=f"/complaints/{complaint.id}")
    complaint.status, complaint.decision_reason = decision, reason
    complaint.decided_by_id, complaint.decided_at = actor.id, clock.now()
    timers.cancel(kind=OVERDUE_KIND, subject_type="complaint", subject_id=complaint.id)
    audit.record(actor, "complaint.triage", "complaint", complaint.id, decision=decision, reason=reason,
                 referred_to_id=complaint.referred_to_id, inspection_id=complaint.inspection_id,
                 campaign_id=complaint.inspection.campaign_id if complaint.inspection else None)
    db.session.commit()
    return complaint


def record_reply(actor: User, complaint_id: int, reply: str) -> Complaint:
    complaint = get_visible(actor, complaint_id)
    if actor.department_id not in (complaint.department_id, complaint.referred_to_id):
        raise Forbidden("只有承办部门可以记录答复")
    if complaint.status == "open":
        raise Conflict("请先分办，再答复投诉举报人")
    reply = (reply or "").strip()
    if not reply:
        raise ValidationFailed({"reply": ["请填写答复内容"]})
    complaint.reply, complaint.replied_by_id, complaint.replied_at = reply, actor.id, clock.now()
    audit.record(actor, "complaint.reply", "complaint", complaint.id)
    db.session.commit()
    return complaint


def officers_of(department_id: int) -> list[User]:
    """The department's active officials: who a targeted inspection may be given to."""
    return list(db.session.scalars(select(User).join(UserRole).where(
        User.department_id == department_id, User.active.is_(True), UserRole.role == "official").order_by(User.id)))


def complaint_overdue(timer) -> None:
    """Not triaged by its deadline: flagged once, the department and the region's supervisors told."""
    complaint = db.session.get(Complaint, timer.subject_id)
    if complaint is None or complaint.status != "open" or complaint.escalated_at is not None:
        return
    complaint.escalated_at = clock.now()
    message = (f"投诉举报 {complaint.code}（{complaint.enterprise.name}）已超过分办期限"
               f"（{complaint.triage_due.isoformat()}），请 {complaint.department.name} 尽快分办")
    link = f"/complaints/{complaint.id}"
    escalations.escalate(message, OVERDUE_KIND, supervisors=scope.supervisors_over(complaint.department.region_id),
                         departments=[complaint.department_id], link=link)
    audit.record(None, "complaint.overdue", "complaint", complaint.id, triage_due=complaint.triage_due.isoformat())


def _referral_department(actor: User, complaint: Complaint, raw) -> Department:
    department = db.session.get(Department, int(raw) if str(raw or "").isdigit() else 0)
    if department is None or department.id == complaint.department_id or not scope.covers_department(actor, department.id):
        raise ValidationFailed({"referred_to_id": ["请选择本区域内的其他部门"]})
    return department


def _targeted_inspection(actor: User, complaint: Complaint, raw_officers: list) -> Inspection:
    officers = {u.id: u for u in officers_of(complaint.department_id)}
    chosen = sorted({int(o) for o in raw_officers if str(o).isdigit()})
    if len(chosen) < 2 or any(o not in officers for o in chosen):
        raise ValidationFailed({"officer_ids": ["定向检查须指派本部门至少两名执法人员"]})
    enterprise = complaint.enterprise
    matters = complaint.matters or [m for m in enterprise.industry.matters if m.department_id == complaint.department_id]
    if not matters:
        raise ValidationFailed({"decision": ["该企业所属行业没有本部门的监管事项，请转其他部门办理"]})
    # The campaign process (kind "complaint") goes straight to waiting for its one inspection, then to the
    # same publication approval as every campaign, and ends once the result is published.
    campaign = initiation.open_campaign(actor, kind=COMPLAINT_KIND, industry=enterprise.industry,
                                        lead=complaint.department, ratios={}, matters=list(matters),
                                        special_reason=complaint.content[:500], title=f"投诉举报 {complaint.code} 定向检查")
    if campaign.stage != "joint_inspection":  # a region's own variant of the process without the complaint route
        raise Conflict("本区域使用的检查活动流程没有投诉举报定向检查分支，请流程设计人员更新流程后再分办")
    campaign.code, campaign.pending_inspections = f"TSJC-{campaign.created_at.year}-{campaign.id:05d}", 1
    inspection = Inspection(campaign_id=campaign.id, enterprise_id=enterprise.id, status="assigned", selection="targeted")
    inspection.officers = [InspectionOfficer(user_id=o, department_id=complaint.department_id) for o in chosen]
    db.session.add(inspection)
    db.session.flush()
    runtime.start_instance("enterprise_case", {"inspection_id": inspection.id, "campaign_id": campaign.id},
                           campaign_id=campaign.id, inspection_id=inspection.id)
    return inspection


def reopen_for_publication() -> list[int]:
    """Targeted inspections opened before they had a campaign process were closed on submission, unpublished.
    Start the process for each one whose result is still unpublished: it goes straight to the lead department's
    publication approval (the overdue timer set on submission still runs). Returns the campaigns reopened."""
    has_process = exists().where(WorkflowInstance.campaign_id == Campaign.id, WorkflowInstance.inspection_id.is_(None))
    unpublished = exists().where(Inspection.campaign_id == Campaign.id, Inspection.status == "submitted",
                                 Inspection.published_at.is_(None))
    campaigns = list(db.session.scalars(select(Campaign).where(
        Campaign.kind == COMPLAINT_KIND, Campaign.status == "completed", ~has_process, unpublished)
        .order_by(Campaign.id)))
    for campaign in campaigns:
        campaign.status, campaign.completed_at = "active", None
        instance = runtime.start_instance("campaign", {"campaign_id": campaign.id, "kind": COMPLAINT_KIND},
                                          campaign_id=campaign.id, region_id=campaign.region_id)
        runtime.send_message(instance, "inspections_completed")
        audit.record(None, "campaign.reopen_publication", "campaign", campaign.id, campaign_id=campaign.id)
    db.session.commit()
    return [c.id for c in campaigns]
