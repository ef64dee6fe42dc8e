"""Redraw (重新抽取): only with a recorded reason and a supervisor's approval; the first draw stays public.

The lead department asks, giving the reason; a supervisor who is not the requester approves
or rejects. Approval is refused once inspection work has started (a result submitted or a
task completed): by then the list has been acted on. On approval the first draw's cases are
withdrawn (nothing was recorded in them), the draw is marked superseded, and a new draw is
committed with a fresh seed.
"""
from sqlalchemy import delete, func, select, update

from extensions import db
from models import (Campaign, Draw, Evidence, HumanTask, Inspection, InspectionDraft, InspectionOfficer,
                    InspectionSignoff, RedrawRequest, TaskCandidate, Timer,
                    User, WorkflowInstance)
from services import audit
from services.workflow import clock
from services.draw import stage as draw
from services.errors import Conflict, Forbidden, ValidationFailed
from services.lookup import get_or_404
from services.org import scope


def request_redraw(actor: User, draw_id: int, reason: str) -> RedrawRequest:
    record = get_or_404(Draw, draw_id, "抽取记录不存在")
    campaign = db.session.get(Campaign, record.campaign_id)
    draw.require_lead(actor, campaign)
    if not reason or len(reason.strip()) < 4:
        raise ValidationFailed({"reason": ["请写明重新抽取的理由"]})
    if record.status != "drawn":
        raise Conflict("只有已完成的抽取可以申请重新抽取")
    if _pending(record.id):
        raise Conflict("该抽取已有待审批的重新抽取申请")
    request = RedrawRequest(draw_id=record.id, reason=reason.strip(), status="pending", requested_by_id=actor.id,
                            requested_at=clock.now())
    db.session.add(request)
    db.session.flush()
    audit.record(actor, "draw.redraw_requested", "redraw_request", request.id, campaign_id=campaign.id,
                 draw_id=record.id, reason=request.reason)
    db.session.commit()
    return request


def _pending(draw_id: int) -> RedrawRequest | None:
    return db.session.scalars(select(RedrawRequest).where(RedrawRequest.draw_id == draw_id,
                                                          RedrawRequest.status == "pending")).first()


def pending_requests(actor: User) -> list[RedrawRequest]:
    """The requests waiting for the second person (a supervisor)."""
    _require_supervisor(actor)
    # Approving acts on the campaign, so only the supervisors over the lead's region see its requests.
    return list(db.session.scalars(
        select(RedrawRequest).join(Draw, Draw.id == RedrawRequest.draw_id)
        .join(Campaign, Campaign.id == Draw.campaign_id)
        .where(RedrawRequest.status == "pending", scope.clause(actor, Campaign.region_id))
        .order_by(RedrawRequest.id)))


def decide(actor: User, request_id: int, approve: bool, note: str | None = None) -> RedrawRequest:
    """The second person: a supervisor, never the one who asked."""
    request = get_or_404(RedrawRequest, request_id, "重新抽取申请不存在")
    _require_supervisor(actor)
    if actor.id == request.requested_by_id:
        raise Forbidden("申请人不能审批自己的重新抽取申请")
    scope.require(actor, db.session.get(Campaign, request.draw.campaign_id).region_id,
                  "该重新抽取申请不在您的管辖区域内")
    draw.lock_campaign(request.draw.campaign_id)
    db.session.refresh(request)
    if request.status != "pending":
        raise Conflict("该申请已处理")
    old = request.draw
    request.status = "approved" if approve else "rejected"
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, clock.now(), (note or "").strip() or None
    audit.record(actor, f"draw.redraw_{request.status}", "redraw_request", request.id, campaign_id=old.campaign_id,
                 draw_id=old.id, note=request.decision_note)
    if approve:
        campaign = db.session.get(Campaign, old.campaign_id)
        _withdraw_cases(campaign, old)
        old.status = "superseded"
        new = draw.perform(campaign, actor, supersedes=old)
        request.new_draw_id = new.id
    db.session.commit()
    return request


def _require_supervisor(actor: User) -> None:
    if not actor.has_role("supervisor"):
        raise Forbidden("重新抽取须经联席会办公室审批")


def _field_work(inspection_ids: list[int]) -> bool:
    """A saved draft, an uploaded photo or a signature is work in the field: it must not be thrown away."""
    if not inspection_ids:
        return False
    return any(db.session.scalar(select(func.count()).select_from(model).where(model.inspection_id.in_(inspection_ids)))
               for model in (InspectionDraft, Evidence, InspectionSignoff))


def _withdraw_cases(campaign: Campaign, old: Draw) -> None:
    inspections = list(db.session.scalars(select(Inspection.id).where(Inspection.campaign_id == campaign.id)))
    started = db.session.scalar(select(func.count()).select_from(Inspection).where(
        Inspection.campaign_id == campaign.id, Inspection.status != "assigned"))
    worked = db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.inspection_id.in_(inspections), HumanTask.status == "completed")) if inspections else 0
    if started or worked or _field_work(inspections):
        raise Conflict("检查工作已经开始，不能重新抽取")
    instances = list(db.session.scalars(select(WorkflowInstance.id).where(
        WorkflowInstance.inspection_id.in_(inspections)))) if inspections else []
    tasks = list(db.session.scalars(select(HumanTask.id).where(HumanTask.instance_id.in_(instances)))) if instances else []
    # Children first; the draw's own rows (DrawnEnterprise) stay: the first list remains on record.
    for statement in (
        delete(Timer).where(Timer.task_id.in_(tasks)), delete(Timer).where(Timer.instance_id.in_(instances)),
        delete(TaskCandidate).where(TaskCandidate.task_id.in_(tasks)), delete(HumanTask).where(HumanTask.id.in_(tasks)),
        delete(WorkflowInstance).where(WorkflowInstance.id.in_(instances)),
        delete(InspectionOfficer).where(InspectionOfficer.inspection_id.in_(inspections)),
        delete(Inspection).where(Inspection.id.in_(inspections)),
        update(Campaign).where(Campaign.id == campaign.id)  # none had started, so none was submitted
        .values(pending_inspections=Campaign.pending_inspections - len(inspections)),
    ):
        db.session.execute(statement)
    audit.record(None, "draw.cases_withdrawn", "draw", old.id, campaign_id=campaign.id, inspections=len(inspections))
