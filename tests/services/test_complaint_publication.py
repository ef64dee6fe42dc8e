"""A complaint's targeted inspection is published like a campaign's (双随机、一公开: results of every inspection,
targeted ones included, within 20 working days): the lead department approves it in the same publication task
(page or API), the overdue timer tells it when late, and the public page names the authority and the result
only — never the complaint, the complainant, their contact or what they wrote."""
from datetime import timedelta

from sqlalchemy import select

from demo.county import DEMO_PASSWORD
from extensions import db
from models import Campaign, Complaint, Inspection, Notification, Timer
from services.complaints import triage
from services.stages import publication
from services.workflow import calendar, timers
from tests import factories
from tests.e2e.journey import user_client
from tests.factories import user
from tests.services.test_complaints import _data, _register

SECRETS = ("张三", "13800000000", "消费者反映该店销售过期食品")


def _inspected(app) -> tuple[int, int, int]:
    complaint_id = _register(app, _data(app))
    campaign_id, inspection_id = factories.targeted_inspection(app, complaint_id)
    [task] = factories.open_tasks(app, campaign_id, "joint_inspection")
    factories.sign_off(app, campaign_id, task)
    return complaint_id, campaign_id, inspection_id


def test_the_result_is_approved_over_the_api_and_published_without_the_complainant(app):
    complaint_id, campaign_id, inspection_id = _inspected(app)
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        assert inspection.publication_due == calendar.deadline(
            inspection.inspected_on, app.config["PUBLICATION_WORKING_DAYS"]).due
        assert db.session.scalar(select(Timer.status).where(
            Timer.kind == publication.OVERDUE_TIMER, Timer.subject_id == inspection_id)) == "pending"
        code = db.session.get(Complaint, complaint_id).code
    public = app.test_client()
    assert "定向检查" not in public.get("/public/").get_data(as_text=True)  # nothing before approval
    handler = user_client(app, "scjg_01")
    assert f"结果待公示，公示期限 {inspection.publication_due}" in handler.get(f"/complaints/{complaint_id}").get_data(as_text=True)

    [task] = factories.open_tasks(app, campaign_id, "publication_approval")
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "scjg_01", "password": DEMO_PASSWORD}).get_json()["token"]
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers={"Authorization": f"Bearer {token}"},
                       json={"data": {"results": [{"key": inspection_id, "decision": "publish"}]}})
    assert done.status_code == 200, done.get_json()
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert (campaign.status, campaign.stage) == ("completed", "closed")
        assert db.session.get(Inspection, inspection_id).published_at is not None
        assert db.session.scalar(select(Timer.status).where(
            Timer.kind == publication.OVERDUE_TIMER, Timer.subject_id == inspection_id)) == "cancelled"
        enterprise = db.session.get(Inspection, inspection_id).enterprise
        campaign_code = campaign.code
    assert "结果已公示（" in handler.get(f"/complaints/{complaint_id}").get_data(as_text=True)

    page = public.get(f"/public/?q={enterprise.uscc}").get_data(as_text=True)
    assert enterprise.name in page and campaign_code in page and "定向检查" in page
    for secret in SECRETS + (code, "投诉举报"):
        assert secret not in page
    by_complaint = public.get(f"/public/?campaign={code}").get_data(as_text=True)
    assert campaign_code not in by_complaint  # the internal title (which names the complaint) is not searchable
    english = public.get(f"/public/?q={enterprise.uscc}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Targeted inspection" in english

    from tests.web.test_portal import _login  # the enterprise's own page shows the same public title
    portal = app.test_client()
    _login(app, portal, enterprise.id)
    own = portal.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert "定向检查" in own and not any(secret in own for secret in SECRETS + (code,))


def test_an_unpublished_targeted_result_past_its_deadline_tells_the_lead(app):
    _, campaign_id, inspection_id = _inspected(app)
    with app.app_context():
        due = db.session.get(Inspection, inspection_id).publication_due
        timers.run_until(factories.clock.end_of_day(due) + timedelta(minutes=1))
        notes = db.session.scalars(select(Notification.message).where(Notification.campaign_id == campaign_id)).all()
        assert any("已超过公示期限" in n for n in notes)
        assert publication.overdue(due + timedelta(days=1)) == [db.session.get(Inspection, inspection_id)]


def test_a_regional_process_without_the_complaint_route_refuses_the_targeted_inspection(app):
    """A county variant of campaign.bpmn deployed before the complaint route existed would send the complaint's
    campaign to 吹哨 (initiation): triage refuses in words and keeps nothing."""
    from pathlib import Path

    import pytest

    from services.errors import Conflict
    from services.workflow import deployments

    bpmn = (Path(__file__).resolve().parents[2] / "workflows" / "campaign.bpmn").read_text(encoding="utf-8")
    complaint_id = _register(app, _data(app))
    with app.app_context():
        lead = user("scjg_01")
        deployments.deploy(bpmn.replace("kind == 'complaint'", "kind == 'none'"), "campaign.bpmn", None,
                           region_id=lead.department.region_id)
        db.session.commit()
        campaigns = db.session.scalar(select(db.func.count()).select_from(Campaign))
        officers = [u.id for u in triage.officers_of(lead.department_id)][:2]
        with pytest.raises(Conflict) as refused:
            triage.triage(lead, complaint_id, {"decision": "targeted", "reason": "线索具体", "officer_ids": officers})
        assert "没有投诉举报定向检查分支" in refused.value.message
        db.session.rollback()
        assert db.session.scalar(select(db.func.count()).select_from(Campaign)) == campaigns
        assert db.session.get(Complaint, complaint_id).status == "open"


def test_a_targeted_inspection_closed_unpublished_before_the_upgrade_gets_its_publication_task(app):
    """Before this change a targeted inspection's campaign had no process and closed on submission: such a
    campaign still closes the old way, and `flask campaign reopen-targeted-publication` gives it the approval."""
    from models import WorkflowInstance

    complaint_id = _register(app, _data(app))
    campaign_id, inspection_id = factories.targeted_inspection(app, complaint_id)
    with app.app_context():
        instance = db.session.scalars(select(WorkflowInstance).where(  # as it was made before: no campaign process
            WorkflowInstance.campaign_id == campaign_id, WorkflowInstance.inspection_id.is_(None))).one()
        db.session.execute(db.delete(Timer).where(Timer.instance_id == instance.id))
        db.session.execute(db.delete(Timer).where(Timer.campaign_id == campaign_id))
        db.session.delete(instance)
        db.session.commit()
    [task] = factories.open_tasks(app, campaign_id, "joint_inspection")
    factories.sign_off(app, campaign_id, task)
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).status == "completed"
    result = app.test_cli_runner().invoke(args=["campaign", "reopen-targeted-publication"])
    assert "已为 1 个投诉举报定向检查开启公示审核" in result.output
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).stage == "publication"
    [approval] = factories.open_tasks(app, campaign_id, "publication_approval")
    factories.complete(app, "scjg_01", approval["id"], {"results": [{"key": inspection_id, "decision": "publish"}]})
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).status == "completed"
        assert db.session.get(Inspection, inspection_id).published_at is not None
    assert "0 个" in app.test_cli_runner().invoke(args=["campaign", "reopen-targeted-publication"]).output


def test_the_targeted_publication_on_postgresql(pg_app):
    test_the_result_is_approved_over_the_api_and_published_without_the_complainant(pg_app)
