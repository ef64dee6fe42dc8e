"""Deadlines by campaign kind: working days for every campaign, hours for an emergency joint action (应急).

One place for the rule, read by the runtime when a task starts and by the escalations when a stage starts, so
the task lists, the dashboard and the escalation notices all show the same deadline.
"""
from datetime import datetime, timedelta

from flask import current_app

from extensions import db
from models import Campaign
from services.workflow import calendar

EMERGENCY = "emergency"


def emergency_hours(campaign: Campaign | None, stage: str | None) -> int | None:
    """The stage's SLA in hours when the campaign is an emergency action, else None."""
    if campaign is None or campaign.kind != EMERGENCY or stage is None:
        return None
    return current_app.config["EMERGENCY_SLA_HOURS"].get(stage)


def task_due(campaign_id: int | None, stage: str | None, sla_days, now: datetime) -> datetime | None:
    """A new task's due time: its stage's hours in an emergency action, else its slaDays in working days."""
    hours = emergency_hours(db.session.get(Campaign, campaign_id) if campaign_id else None, stage)
    if hours is not None:
        return now + timedelta(hours=hours)
    return calendar.working_deadline(now, int(sla_days)) if sla_days else None


def stage_deadline(campaign: Campaign, stage: str, entered_at: datetime,
                   sla_days: int | None) -> tuple[datetime, dict] | None:
    """The stage's deadline and what its escalation notice says about it (hours or working days)."""
    hours = emergency_hours(campaign, stage)
    if hours is not None:
        return entered_at + timedelta(hours=hours), {"sla_hours": hours}
    if sla_days is None:
        return None
    return calendar.working_deadline(entered_at, sla_days), {"sla_days": sla_days}
