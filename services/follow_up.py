"""Follow-up (后续监管): rectification orders recorded and closed."""
from sqlalchemy import func, select

from extensions import db
from forms.loader import FormContext
from models import Campaign, FollowUp, Inspection
from services import audit, clock, registry, runtime


def open_follow_up(inspection: Inspection) -> FollowUp:
    return next(f for f in inspection.follow_ups if f.status == "open")


@registry.form_context("rectification")
def _context(ctx) -> FormContext:
    return FormContext(info={"enterprise": ctx.inspection.enterprise, "follow_up": open_follow_up(ctx.inspection),
                             "inspection": ctx.inspection})


@registry.form_handler("rectification")
def _close(ctx, data: dict) -> dict:
    follow_up = open_follow_up(ctx.inspection)
    follow_up.rectified = data["rectified"] == "yes"
    follow_up.rectification = data["rectification"]
    follow_up.status, follow_up.closed_by_id, follow_up.closed_at = "closed", ctx.user.id, clock.now()
    if not follow_up.rectified:
        # 不整改的转立案: the handling class changes, and the record says why.
        ctx.inspection.handling = "case"
        ctx.inspection.handling_note = f"逾期未整改转立案：{data['rectification']}"
    audit.record(ctx.user, "follow_up.close", "follow_up", follow_up.id, campaign_id=ctx.campaign.id,
                 rectified=follow_up.rectified)
    db.session.flush()
    _report_if_all_closed(ctx.campaign.id)
    return {"rectified": data["rectified"]}


def _report_if_all_closed(campaign_id: int) -> None:
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())
    still_open = db.session.scalar(select(func.count()).select_from(FollowUp).join(Inspection).where(
        Inspection.campaign_id == campaign_id, FollowUp.status == "open"))
    if still_open == 0:
        runtime.send_message(runtime.campaign_instance(campaign_id), "follow_ups_closed")
