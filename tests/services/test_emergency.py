"""Emergency joint actions (应急): no plan entry, the coordinating office approves, every deadline in hours,
shown on the dashboard and escalated in hours."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import Campaign, HumanTask, Industry, Notification, Timer
from services.errors import Forbidden, ValidationFailed
from services.stages import kinds
from services.supervision import dashboard
from services.workflow import escalations, timers
from tests.conftest import login
from tests.factories import complete, open_tasks, user


def _request(app) -> int:
    with app.app_context():
        industry = db.session.scalars(select(Industry.id).where(Industry.code == "5265")).one()
        return kinds.request_emergency_action(user("scjg_01"), industry_id=industry, reason="加油站火灾隐患排查").id


def test_emergency_action_runs_on_hours_and_shows_them_on_the_dashboard(app):
    campaign_id = _request(app)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert (campaign.kind, campaign.plan_entry_id, campaign.stage) == ("emergency", None, "plan")
        [approval] = db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign_id)).all()
        assert (approval.element_id, approval.form_key, approval.role) == ("emergency_approval", "special_approval",
                                                                            "supervisor")
        assert approval.due_at == approval.created_at + timedelta(hours=2)
        [stage_timer] = db.session.scalars(select(Timer).where(Timer.campaign_id == campaign_id,
                                                               Timer.kind == escalations.STAGE_KIND)).all()
        assert stage_timer.due_at == campaign.stages[-1].entered_at + timedelta(hours=2)
        [row] = dashboard.live_campaigns(user("supervisor"), dashboard.Filters(campaign_id=campaign_id)).rows
        assert (row.kind, row.sla_hours, row.hours_in_stage) == ("emergency", 2, 0)

    supervisor = app.test_client()
    login(supervisor, "supervisor")
    board = supervisor.get(f"/dashboard/?campaign_id={campaign_id}").get_data(as_text=True)
    assert "应急：0 / 2 小时" in board
    assert "应急联合行动" in supervisor.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    [task] = open_tasks(app, campaign_id, "special_approval")
    approval_page = supervisor.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert "审批应急联合行动" in approval_page and "加油站火灾隐患排查" in approval_page

    with app.app_context():  # three hours later nobody has approved: the office is told, in hours
        assert timers.run_until(stage_timer.due_at + timedelta(hours=1)) == 2
        notes = db.session.scalars(select(Notification.message).where(Notification.campaign_id == campaign_id)).all()
        assert any("「年度计划」阶段已超过 2 小时的时限" in n for n in notes)

    complete(app, "supervisor", task["id"], {"special_decision": "approve"})
    with app.app_context():
        [initiation] = db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign_id,
                                                                  HumanTask.status == "open")).all()
        assert initiation.form_key == "initiation"
        assert initiation.due_at == initiation.created_at + timedelta(hours=4)


def test_emergency_request_is_checked(app):
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            kinds.request_emergency_action(user("scjg_01"), industry_id=0, reason=" ")
        assert set(refused.value.errors) == {"industry_id", "reason"}
        with pytest.raises(Forbidden):
            kinds.request_emergency_action(user("supervisor"), industry_id=1, reason="x")
        assert db.session.scalars(select(Campaign)).all() == []


def test_emergency_page_refuses_bad_input_then_opens_the_action(app):
    client = app.test_client()
    login(client, "scjg_01")
    from tests.conftest import csrf_token
    token = csrf_token(client, "/campaigns/emergency")
    bad = client.post("/campaigns/emergency", data={"csrf_token": token, "industry_id": "", "reason": ""})
    assert bad.status_code == 422 and "请说明发起应急联合行动的事由" in bad.get_data(as_text=True)
    with app.app_context():
        industry = db.session.scalars(select(Industry.id).where(Industry.code == "5265")).one()
    good = client.post("/campaigns/emergency", data={"csrf_token": token, "industry_id": str(industry),
                                                     "reason": "加油站火灾隐患排查"})
    assert good.status_code == 302
    assert "应急联合行动" in client.get(good.headers["Location"]).get_data(as_text=True)


def test_the_diagram_colours_an_emergency_stage_in_hours_as_the_dashboard_does(app):
    """One hour into the 2-hour approval the dashboard shows amber; the diagram's waiting element and the
    board's current stage say the same (they used to count working days: 0 of 5, green); past the 2 hours all
    say late."""
    from services.supervision import board
    from services.workflow import clock
    from tests.e2e.journey import user_client

    campaign_id = _request(app)
    supervisor = user_client(app, "supervisor")

    def seen() -> tuple[str, str]:
        with app.app_context():
            [row] = dashboard.live_campaigns(user("supervisor"), dashboard.Filters(campaign_id=campaign_id)).rows
            [timeline] = [t for t in board.timelines(user("supervisor")) if t.campaign_id == campaign_id]
            bar = next(b for b in timeline.stages if b.status == "current")
            assert bar.state == row.state  # the board's current stage says the same
        states = supervisor.get(f"/campaigns/{campaign_id}/diagram-states.json").get_json()
        return row.state, states["emergency_approval"]

    assert seen() == ("ok", "active")
    clock.advance(timedelta(hours=1))
    assert seen() == ("warn", "warn")
    html = supervisor.get(f"/dashboard/?campaign_id={campaign_id}").get_data(as_text=True)
    assert "应急：1 / 2 小时" in html
    clock.advance(timedelta(hours=2))
    assert seen() == ("late", "overdue")
