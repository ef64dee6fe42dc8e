"""Notices to the enterprise through the outbox: the rectification order, a reminder before its deadline (a
timer kind in services/handlers.py), and the officials' view of what was sent on the directory page."""
from datetime import timedelta

from sqlalchemy import select

from extensions import db
from models import FollowUp, OutboxMessage, Timer
from services.portal import notices, outbox
from services.workflow import clock, timers
from tests import factories
from tests.conftest import login
from tests.web.test_portal import _login


def test_order_and_reminder_reach_the_enterprise_and_show_on_the_directory_page(app):
    campaign_id, _ = factories.campaign_at(app, "diagnosed", enterprises=2)
    with app.app_context():
        follow_up = db.session.scalars(select(FollowUp).where(FollowUp.campaign_id == campaign_id)).first()
        enterprise = follow_up.inspection.enterprise
        enterprise_id, deadline = enterprise.id, follow_up.deadline
        [order] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "rectification_order")).all()
        assert order.enterprise_id == enterprise_id and deadline.isoformat() in order.body
        [reminder] = db.session.scalars(select(Timer).where(Timer.kind == notices.REMINDER_KIND)).all()
        assert clock.local_date(reminder.due_at) < deadline
        timers.fire_due(reminder.due_at + timedelta(minutes=1), move_clock=True)
        [sent] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "rectification_reminder")).all()
        assert sent.enterprise_id == enterprise_id and deadline.isoformat() in sent.body
        outbox.deliver_pending()
    portal = app.test_client()
    _login(app, portal, enterprise_id)  # leaves a login code in the outbox: listed, never shown
    official = app.test_client()
    login(official, "scjg_01")
    page = official.get(f"/directory/enterprises/{enterprise_id}").get_data(as_text=True)
    assert "发给企业的消息" in page and "整改通知" in page and "整改期限提醒" in page and "已发送" in page
    assert "登录验证码" in page and "验证码内容不显示" in page and "验证码为" not in page


def test_no_reminder_once_the_rectification_is_closed(app):
    campaign_id, _ = factories.campaign_at(app, "rectified", enterprises=2)
    with app.app_context():
        reminder = db.session.scalars(select(Timer).where(Timer.kind == notices.REMINDER_KIND)).one()
        timers.fire_due(reminder.due_at + timedelta(minutes=1), move_clock=True)
        assert db.session.get(Timer, reminder.id).status != "pending"
        assert db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "rectification_reminder")).all() == []
        assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "rectification_order")).all()
