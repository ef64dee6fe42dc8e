"""Rectification online (企业整改申报): the enterprise says what it fixed, item by item, with photos or PDFs;
the department accepts it or returns it with reasons.

Accepting completes the open `rectification` task of the enterprise's case through the ordinary task service
(so the follow-up closes, or goes on to re-inspection, exactly as when an officer records it); the task's
handler settles the claim (`settle`). Evidence goes through the same checks and hash storage as inspection
evidence (services.stages.evidence), all files or none. Every enterprise-side query is scoped to the
logged-in enterprise: another enterprise's inspection or file is "not found".
"""
from dataclasses import dataclass

from sqlalchemy import select

from extensions import db
from models import (ChecklistItem, ClaimEvidence, Enterprise, FollowUp, HumanTask, Inspection, ItemResult,
                    RectificationClaim, User)
from services import audit
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.portal import outbox
from services.stages import cases, evidence
from services.workflow import clock, tasks, timers
from services.lookup import get_or_404

NOTICE_KIND = "rectification_claim"
MAX_ACTION = 2000


@dataclass(frozen=True)
class ClaimItem:
    item_id: int
    text: str
    action: str
    files: list[ClaimEvidence]


@dataclass(frozen=True)
class ClaimView:
    claim: RectificationClaim
    enterprise: Enterprise
    inspection: Inspection
    follow_up: FollowUp
    items: list[ClaimItem]


# --- the enterprise's side ----------------------------------------------------------------------------------

def _own_inspection(enterprise_id: int, inspection_id: int) -> Inspection:
    found = db.session.get(Inspection, inspection_id)
    if found is None or found.enterprise_id != enterprise_id or found.published_at is None:
        raise NotFound("检查记录不存在")
    return found


def open_order(inspection: Inspection) -> FollowUp | None:
    return next((f for f in inspection.follow_ups if f.kind == "rectify" and f.status == "open"), None)


def open_order_for(enterprise_id: int, inspection_id: int) -> FollowUp | None:
    return open_order(_own_inspection(enterprise_id, inspection_id))


def failed_items(inspection_id: int) -> list[tuple[int, str]]:
    """The items found not compliant: what a rectification is about."""
    rows = db.session.execute(select(ChecklistItem.id, ChecklistItem.text)
                              .join(ItemResult, ItemResult.checklist_item_id == ChecklistItem.id)
                              .where(ItemResult.inspection_id == inspection_id, ItemResult.result == "fail")
                              .order_by(ChecklistItem.position)).all()
    return [(item_id, text) for item_id, text in rows]


def for_inspection(enterprise_id: int, inspection_id: int) -> list[ClaimView]:
    inspection = _own_inspection(enterprise_id, inspection_id)
    return [_view(c, inspection) for c in db.session.scalars(select(RectificationClaim).where(
        RectificationClaim.inspection_id == inspection.id).order_by(RectificationClaim.id))]


def submit(enterprise_id: int, inspection_id: int, actions: dict[int, str],
           uploads: list[evidence.Upload]) -> RectificationClaim:
    """Record the claim and its files (all or nothing) and tell the deciding departments."""
    inspection = _own_inspection(enterprise_id, inspection_id)
    follow_up = open_order(inspection)
    if follow_up is None:
        raise Conflict("该检查没有待整改的要求")
    if db.session.scalar(select(RectificationClaim.id).where(RectificationClaim.follow_up_id == follow_up.id,
                                                             RectificationClaim.status == "submitted")):
        raise Conflict("已有待部门审核的整改申报，请等待审核结果")
    allowed = {item_id for item_id, _ in failed_items(inspection.id)}
    actions = {k: (v or "").strip() for k, v in actions.items()}
    filled = {k: v for k, v in actions.items() if v}
    uploads = [u for u in uploads if u.filename]
    errors = {}
    if not filled or not set(filled) <= allowed:
        errors["items"] = ["请逐项填写本次检查不符合项的整改情况"]
    elif any(len(v) > MAX_ACTION for v in filled.values()):
        errors["items"] = ["每项整改情况不超过 2000 字"]
    if not uploads:
        errors["evidence"] = ["请上传整改照片或 PDF 佐证材料"]
    if errors:
        raise ValidationFailed(errors)
    checked = evidence.check_all(uploads, set(filled))
    stored, written = evidence.write_all(checked)
    try:
        claim = RectificationClaim(follow_up_id=follow_up.id, inspection_id=inspection.id,
                                   enterprise_id=enterprise_id, status="submitted", submitted_at=clock.now(),
                                   items=[{"item_id": k, "action": filled[k]} for k in sorted(filled)])
        db.session.add(claim)
        db.session.flush()
        db.session.add_all([ClaimEvidence(claim_id=claim.id, checklist_item_id=upload.item_id, sha256=sha, size=size,
                                          mime=mime, original_name=evidence.stored_name(upload),
                                          uploaded_at=clock.now()) for upload, sha, size, mime in stored])
        for department_id in sorted(deciding_departments(inspection)):
            timers.notify(f"{inspection.enterprise.name} 在线提交了整改情况，请审核", NOTICE_KIND,
                          department_id=department_id, campaign_id=inspection.campaign_id,
                          link=f"/applications/claims/{claim.id}")
        audit.record(None, "rectification_claim.submit", "rectification_claim", claim.id,
                     campaign_id=inspection.campaign_id, enterprise_id=enterprise_id, follow_up_id=follow_up.id,
                     item_ids=sorted(filled), files=[sha for _, sha, _, _ in stored])
        db.session.commit()
    except Exception:
        db.session.rollback()
        evidence.discard(written)
        raise
    return claim


def enterprise_file(enterprise_id: int, file_id: int):
    row = db.session.get(ClaimEvidence, file_id)
    claim = db.session.get(RectificationClaim, row.claim_id) if row is not None else None
    if claim is None or claim.enterprise_id != enterprise_id:
        raise NotFound("证据文件不存在")
    return evidence.opened(row)


# --- the department's side ----------------------------------------------------------------------------------

def deciding_departments(inspection: Inspection) -> set[int]:
    """The lead department, the department responsible for the failed items, and whoever holds the task."""
    found = {inspection.campaign.lead_department_id, cases.responsible_department(inspection)}
    task = _rectification_task(inspection.id)
    if task is not None and task.department_id is not None:
        found.add(task.department_id)
    return found


def _rectification_task(inspection_id: int) -> HumanTask | None:
    return db.session.scalars(select(HumanTask).where(
        HumanTask.inspection_id == inspection_id, HumanTask.form_key == "rectification",
        HumanTask.status == "open")).first()


def _may_see(user: User, inspection: Inspection) -> bool:
    if user.has_role("supervisor"):
        return True
    return (user.department_id is not None and user.has_role("official", "department_admin")
            and user.department_id in deciding_departments(inspection))


def pending_for(user: User) -> list[ClaimView]:
    rows = db.session.scalars(select(RectificationClaim).where(RectificationClaim.status == "submitted")
                              .order_by(RectificationClaim.submitted_at))
    views = []
    for claim in rows:
        inspection = db.session.get(Inspection, claim.inspection_id)
        if _may_see(user, inspection):
            views.append(_view(claim, inspection))
    return views


def view_for(user: User, claim_id: int) -> ClaimView:
    claim = get_or_404(RectificationClaim, claim_id, "整改申报不存在")
    inspection = db.session.get(Inspection, claim.inspection_id)
    if not _may_see(user, inspection):
        raise Forbidden("只有相关部门可以查看该企业的整改申报")
    return _view(claim, inspection)


def accept(user: User, claim_id: int) -> RectificationClaim:
    """Accept: complete the rectification task as rectified (its handler settles the claim); one transaction."""
    view = view_for(user, claim_id)
    if view.claim.status != "submitted":
        raise Conflict("该整改申报已审核")
    task = _rectification_task(view.inspection.id)
    if task is None:
        raise Conflict("该企业的整改跟踪任务不在办理中")
    if not tasks.can_act(user, task):
        raise Forbidden("整改跟踪任务由其他部门或人员办理")
    summary = "；".join(f"{i.text}：{i.action}" for i in view.items)
    files = sum(len(i.files) for i in view.items)
    tasks.complete(user, task.id, {"rectified": "yes", "rectification": f"企业在线申报：{summary}"[:4000],
                                   "evidence": f"企业在线提交的整改佐证材料 {files} 件"})
    return view.claim


def return_claim(user: User, claim_id: int, reason: str) -> RectificationClaim:
    """Return the claim with reasons; the rectification stays open and the enterprise may submit again."""
    view = view_for(user, claim_id)
    if not (user.has_role("official", "department_admin")
            and user.department_id in deciding_departments(view.inspection)):
        raise Forbidden("只有相关部门可以审核整改申报")
    claim = view.claim
    if claim.status != "submitted":
        raise Conflict("该整改申报已审核")
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 2000:
        raise ValidationFailed({"reason": ["请写明退回理由（5–2000 字）"]})
    claim.status, claim.return_reason, claim.decided_at, claim.decided_by_id = "returned", reason, clock.now(), user.id
    _tell(view.enterprise, "rectification_claim_returned", f"【一业一查】您在线提交的整改情况被退回，理由：{reason}。"
                                                            "请补充后重新提交。")
    audit.record(user, "rectification_claim.return", "rectification_claim", claim.id,
                 campaign_id=view.inspection.campaign_id, reason=reason)
    db.session.commit()
    return claim


def settle(user: User, follow_up: FollowUp, rectified: bool, note: str) -> None:
    """Called by the rectification task's handler: a claim waiting on this follow-up is decided with it."""
    claim = latest(follow_up.id, status="submitted")
    if claim is None:
        return
    claim.status, claim.decided_at, claim.decided_by_id = ("accepted" if rectified else "returned"), clock.now(), user.id
    if not rectified:
        claim.return_reason = note
    enterprise = db.session.get(Enterprise, claim.enterprise_id)
    _tell(enterprise, "rectification_claim_accepted" if rectified else "rectification_claim_returned",
          "【一业一查】您在线提交的整改情况已审核通过。" if rectified else f"【一业一查】您提交的整改情况未获认可：{note}")
    audit.record(user, f"rectification_claim.{claim.status}", "rectification_claim", claim.id,
                 campaign_id=follow_up.campaign_id)


def latest(follow_up_id: int, status: str | None = None) -> RectificationClaim | None:
    query = select(RectificationClaim).where(RectificationClaim.follow_up_id == follow_up_id)
    if status:
        query = query.where(RectificationClaim.status == status)
    return db.session.scalars(query.order_by(RectificationClaim.id.desc()).limit(1)).first()


def view_of(claim: RectificationClaim) -> ClaimView:
    """For a form context the task service has already authorised."""
    return _view(claim, db.session.get(Inspection, claim.inspection_id))


def official_file(user: User, file_id: int):
    row = get_or_404(ClaimEvidence, file_id, "证据文件不存在")
    view_for(user, row.claim_id)
    return evidence.opened(row)


def _tell(enterprise: Enterprise, kind: str, body: str) -> None:
    if enterprise.contact_mobile:
        outbox.enqueue(enterprise.id, enterprise.contact_mobile, kind, body)


def _view(claim: RectificationClaim, inspection: Inspection) -> ClaimView:
    texts = {item_id: text for item_id, text in db.session.execute(select(ChecklistItem.id, ChecklistItem.text)
             .where(ChecklistItem.id.in_([i["item_id"] for i in claim.items]))).all()}
    files = list(db.session.scalars(select(ClaimEvidence).where(ClaimEvidence.claim_id == claim.id)
                                    .order_by(ClaimEvidence.id)))
    items = [ClaimItem(i["item_id"], texts.get(i["item_id"], ""), i["action"],
                       [f for f in files if f.checklist_item_id == i["item_id"]]) for i in claim.items]
    return ClaimView(claim, inspection.enterprise, inspection, db.session.get(FollowUp, claim.follow_up_id), items)
