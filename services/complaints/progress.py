"""Where a complaint's targeted inspection (定向检查) stands after its result is published.

Its campaign process (workflows/campaign.bpmn, kind "complaint") ends at publication, but the work does not: the
lead department decides the handling (分类处置, services/complaints/handling.py), then the enterprise case runs
the rectification and its reinspection (后续监管), and a transfer waits for the receiving authority's receipt
(回执) as it does in an ordinary campaign's follow-up. So the campaign's stage follows that work — "diagnosis"
(shown as 分类处置 for this kind) until the handling is decided, "follow_up" while the case or a transfer is open —
and the campaign closes (stage "closed", status "completed") only when the handling is decided, the case has
ended and no transfer waits. A 立案 case opened by the handling goes on by itself, as after an ordinary campaign.

The runtime calls `follow` (registry.CAMPAIGN_STAGES, services/handlers.py) when the campaign process ends and
when the case moves; recording a transfer's receipt calls it too. `repair` does it for the campaigns an earlier
release closed at publication (`flask campaign sync-targeted-stages`).
"""
from sqlalchemy import select

from extensions import db
from models import Campaign, CampaignStage, Inspection, Transfer, WorkflowInstance
from services import audit
from services.workflow import clock, escalations

KIND = "complaint"


def follow(campaign: Campaign) -> None:
    """Move the campaign to the stage its handling and case are at (nothing while its own process runs)."""
    stage = stage_of(campaign)
    if stage is not None:
        _enter(campaign, stage)


def stage_of(campaign: Campaign) -> str | None:
    """The stage the work is at once the campaign process has ended; None while it runs (its stage is the process's)."""
    statuses = dict(db.session.execute(select(WorkflowInstance.inspection_id, WorkflowInstance.status)
                                       .where(WorkflowInstance.campaign_id == campaign.id)).all())
    if statuses.get(None) != "completed":
        return None
    inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign.id)
                                    .order_by(Inspection.id).limit(1)).first()
    if inspection is None:
        return "closed"
    if statuses.get(inspection.id) == "running":  # it waits for the handling decision, or rectification goes on
        return "diagnosis" if inspection.handling is None else "follow_up"
    waiting = db.session.scalar(select(Transfer.id).where(Transfer.inspection_id == inspection.id,
                                                          Transfer.status == "sent").limit(1))
    return "follow_up" if waiting is not None else "closed"


def repair() -> list[int]:
    """Targeted campaigns whose process has ended, set where their work stands (idempotent): those an earlier
    release closed at publication while the handling or the case went on are reopened at that stage.
    Returns the campaigns whose stage changed."""
    ended = select(WorkflowInstance.campaign_id).where(WorkflowInstance.inspection_id.is_(None),
                                                       WorkflowInstance.status == "completed")
    changed = []
    for campaign in db.session.scalars(select(Campaign).where(Campaign.kind == KIND, Campaign.id.in_(ended))
                                       .order_by(Campaign.id)):
        before = (campaign.stage, campaign.status)
        follow(campaign)
        if (campaign.stage, campaign.status) != before:
            changed.append(campaign.id)
    db.session.commit()
    return changed


def _enter(campaign: Campaign, stage: str) -> None:
    closing = stage == "closed"
    if campaign.stage == stage and campaign.status == ("completed" if closing else "active"):
        return
    was, now = campaign.stage, clock.now()
    for row in campaign.stages:
        if row.left_at is None:
            row.left_at = now
    campaign.stage = stage
    if closing:
        campaign.status, campaign.completed_at = "completed", now
    else:
        # Entered now, also when a repair reopens a campaign: its stage deadline runs from today, so an upgrade
        # does not escalate at once every campaign an earlier release closed too early.
        campaign.status, campaign.completed_at = "active", None
        campaign.stages.append(CampaignStage(stage=stage, entered_at=now))
    db.session.flush()
    escalations.sync_stage_timers(campaign)
    audit.record(None, "campaign.close" if closing else "campaign.stage", "campaign", campaign.id,
                 campaign_id=campaign.id, stage=stage, was=was, status=campaign.status)
