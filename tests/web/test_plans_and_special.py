"""The supervisor's plan pages and special actions (专项行动)."""
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import Campaign, PlanEntry
from tests.conftest import csrf_token
from tests.e2e.journey import open_tasks, submit, user_client


def test_only_supervisor_may_plan(app):
    official = user_client(app, "scjg_01")
    assert official.get("/plans/new").status_code == 403


def test_invalid_plan_entry_is_refused_with_reasons(app):
    supervisor = user_client(app, "supervisor")
    token = csrf_token(supervisor, "/plans/new")
    response = supervisor.post("/plans/new", data=MultiDict([
        ("csrf_token", token), ("year", "2026"), ("industry_id", "1"), ("lead_department_id", "1"),
        ("partner_department_ids", "1"), ("matter_ids", "9999"), ("ratio_A", "3"), ("ratio_B", "500"),
        ("method", "实地检查"), ("timing", "Q2")]))
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(PlanEntry.id)) is None


def test_special_action_needs_approval_and_can_be_rejected(app):
    official = user_client(app, "scjg_01")
    token = csrf_token(official, "/campaigns/special")
    assert official.post("/campaigns/special", data={"csrf_token": token, "industry_id": "1", "reason": " "}).status_code == 422
    response = official.post("/campaigns/special", data={"csrf_token": token, "industry_id": "1",
                                                          "reason": "群众投诉集中，开展专项整治"})
    assert response.status_code == 302
    with app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
        campaign_id = campaign.id
        assert campaign.kind == "special"
    assert open_tasks(app, campaign_id, "initiation") == []
    [approval] = open_tasks(app, campaign_id, "special_approval")
    supervisor = user_client(app, "supervisor")
    submit(supervisor, approval["id"], [("special_decision", "reject")], expect=422)  # reason required
    submit(supervisor, approval["id"], [("special_decision", "reject"), ("comment", "纳入年度计划统筹")])
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert (campaign.status, campaign.stage) == ("rejected", "closed")


def test_approved_special_action_goes_to_the_lead_department(app):
    official = user_client(app, "scjg_01")
    token = csrf_token(official, "/campaigns/special")
    official.post("/campaigns/special", data={"csrf_token": token, "industry_id": "1", "reason": "专项整治"})
    with app.app_context():
        campaign_id = db.session.scalars(select(Campaign.id)).one()
    [approval] = open_tasks(app, campaign_id, "special_approval")
    submit(user_client(app, "supervisor"), approval["id"], [("special_decision", "approve")])
    assert len(open_tasks(app, campaign_id, "initiation")) == 1
    page = official.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "发起与报到" in page and "专项行动" in page
    assert user_client(app, "xf_01").get(f"/campaigns/{campaign_id}").status_code == 403


def test_public_page_needs_no_login_and_shows_nothing_unpublished(client):
    response = client.get("/public/")
    assert response.status_code == 200
    assert "暂无公示结果" in response.get_data(as_text=True)
