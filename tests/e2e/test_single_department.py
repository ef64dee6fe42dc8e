"""A single-department campaign (单部门双随机): planned without partners, it runs the whole loop over HTTP,
its report-in stage skipped by the BPMN's partners gateway, its inspections done by two of its own officers."""
from sqlalchemy import select

from extensions import db
from models import Campaign, HumanTask, Inspection, InspectionOfficer, User
from tests.e2e.journey import (inspection_fields, open_tasks, plan_and_approve, scope, sign_off, submit,
                               user_client)


def _single(app) -> dict:
    s = scope(app, 3)
    with app.app_context():
        from models import Industry
        industry = db.session.get(Industry, s["industry_id"])
        s["matters"] = [m.id for m in industry.matters if m.department_id == s["lead_id"]]
    return {**s, "partners": [], "partner_users": {}}


def test_single_department_campaign_from_plan_to_closed(app):
    s = _single(app)
    supervisor, campaign_id = plan_and_approve(app, s)
    lead = user_client(app, "scjg_01")
    page = lead.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "单部门" in page and "单部门双随机抽查" in page

    [initiation] = open_tasks(app, campaign_id, "initiation")
    submit(lead, initiation["id"], [("matter_ids", str(m)) for m in s["matters"]])
    assert open_tasks(app, campaign_id, "partner_confirmation") == []  # skipped by the BPMN, not by code

    inspections = open_tasks(app, campaign_id, "joint_inspection")
    assert len(inspections) == 3
    for i, task in enumerate(inspections):
        sign_off(app, campaign_id, task, inspection_fields(app, campaign_id, i == 0))
    [publication] = open_tasks(app, campaign_id, "publication_approval")
    submit(lead, publication["id"], [("approve", "publish")])
    [diagnosis] = open_tasks(app, campaign_id, "diagnosis")
    submit(lead, diagnosis["id"], [("assessment", "总体较好"),
                                  (f"handling.{inspections[0]['inspection_id']}.handling", "rectify")])
    [rectification] = open_tasks(app, campaign_id, "rectification")
    submit(user_client(app, rectification["candidates"][0]), rectification["id"],
           [("rectified", "yes"), ("rectification", "已整改到位")])
    [review] = open_tasks(app, campaign_id, "performance_review")
    submit(supervisor, review["id"], [("comments", "按时完成")])

    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert (campaign.status, campaign.stage) == ("completed", "closed")
        assert [(d.department_id, d.role) for d in campaign.departments] == [(s["lead_id"], "lead")]
        assert db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign_id,
                                                          HumanTask.form_key == "partner_confirmation")).all() == []
        for inspection in db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)):
            officers = db.session.scalars(select(User).join(InspectionOfficer, InspectionOfficer.user_id == User.id)
                                          .where(InspectionOfficer.inspection_id == inspection.id)).all()
            assert len(officers) >= 2 and {o.department_id for o in officers} == {s["lead_id"]}
            assert inspection.published_at is not None
    closed = lead.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "单部门" in closed and "已闭环" in closed


def test_plan_form_accepts_no_partners(app):
    s = _single(app)
    supervisor, campaign_id = plan_and_approve(app, s)
    listing = supervisor.get("/campaigns/").get_data(as_text=True)
    assert "年度计划 · 单部门" in listing
    form = supervisor.get("/plans/new").get_data(as_text=True)
    assert "不选 = 单部门抽查" in form
    assert "无（单部门）" in supervisor.get("/plans/").get_data(as_text=True)
    assert "无（单部门）" in app.test_client().get("/public/plan/").get_data(as_text=True)
