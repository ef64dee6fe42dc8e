"""Notices to the enterprise about its rectification order, through the outbox: the order itself when the
lead department issues it, and a reminder RECTIFICATION_REMINDER_WORKING_DAYS working days before the deadline
(a timer of kind REMINDER_KIND, registered in services/handlers.py). Objection answers are sent by
services/portal/objections.py, claim decisions by claims.py."""
from datetime import date, timedelta

from flask import current_app

from extensions import db
from models import FollowUp
from services import audit
from services.portal import outbox
from services.workflow import calendar, clock, timers

REMINDER_KIND = "portal.rectification_reminder"


def rectification_ordered(follow_up: FollowUp) -> None:
    """Within the caller's transaction: tell the enterprise, and schedule the reminder if it is still ahead."""
    enterprise = follow_up.inspection.enterprise
    if enterprise.contact_mobile:
        outbox.enqueue(enterprise.id, enterprise.contact_mobile, "rectification_order",
                       f"【一业一查】检查发现的问题须于 {follow_up.deadline.isoformat()} 前整改完毕"
                       f"（{follow_up.working_days} 个工作日）。可登录企业服务在线提交整改情况。")
    remind_on = _working_days_before(follow_up.deadline, current_app.config["RECTIFICATION_REMINDER_WORKING_DAYS"])
    if remind_on > clock.today():
        timers.schedule(REMINDER_KIND, clock.end_of_day(remind_on - timedelta(days=1)),
                        campaign_id=follow_up.campaign_id, subject_type="follow_up", subject_id=follow_up.id)


def rectification_reminder(timer) -> None:
    """The deadline approaches: remind the enterprise, unless the rectification is closed or already claimed."""
    follow_up = db.session.get(FollowUp, timer.subject_id)
    if follow_up is None or follow_up.status != "open":
        return
    enterprise = follow_up.inspection.enterprise
    if not enterprise.contact_mobile:
        return
    outbox.enqueue(enterprise.id, enterprise.contact_mobile, "rectification_reminder",
                   f"【一业一查】提醒：您的整改期限为 {follow_up.deadline.isoformat()}，请按期完成并在线提交整改情况。")
    audit.record(None, "follow_up.remind_enterprise", "follow_up", follow_up.id, campaign_id=follow_up.campaign_id,
                 deadline=follow_up.deadline.isoformat())


def _working_days_before(day: date, working_days: int) -> date:
    found = 0
    while found < working_days:
        day -= timedelta(days=1)
        found += calendar.working_day(day)[0]
    return day
