"""全科会诊: the lead's diagnosis waits for every confirmed partner's and every drawn expert's opinion, and the
decision page and the report show each of them (who, what, the expert's signature)."""
from sqlalchemy import select

from extensions import db
from models import Campaign, CampaignDepartment, Department, DiagnosisOpinion, Expert, HumanTask
from services.directory import people
from services.stages import opinion_records
from services.workflow import tasks
from tests import factories
from tests.conftest import login
from tests.e2e.journey import submit, user_client

EXPERT_PASSWORD = "Huizhen-2026!zj"


def _expert_account(app) -> tuple[int, str]:
    with app.app_context():
        expert = db.session.scalars(select(Expert).where(Expert.field == "食品安全")).one()
        people.open_expert_account(None, expert.id, username="zj_zhan", password=EXPERT_PASSWORD)
        return expert.id, expert.name


def _confirmed_partners(app, campaign_id: int) -> list[int]:
    with app.app_context():
        return sorted(db.session.scalars(select(CampaignDepartment.department_id).where(
            CampaignDepartment.campaign_id == campaign_id, CampaignDepartment.role == "partner",
            CampaignDepartment.status == "confirmed")))


def _opinion_rows(app, username: str, task_id: int) -> list[int]:
    with app.app_context():
        return [r.key for r in tasks.task_form(factories.user(username), task_id).context.rows["opinion_inspections"]]


def test_diagnosis_waits_for_every_partner_and_expert_and_shows_their_opinions(app):
    expert_id, expert_name = _expert_account(app)
    campaign_id, s = factories.campaign_at(app, "published", expert_field="食品安全")
    partners = _confirmed_partners(app, campaign_id)
    assert partners and factories.open_tasks(app, campaign_id, "diagnosis") == []

    panel = factories.open_tasks(app, campaign_id, "diagnosis_opinion")
    assert sorted(t["department_id"] for t in panel if t["department_id"]) == partners
    [expert_task] = [t for t in panel if t["department_id"] is None]
    assert expert_task["candidates"] == ["zj_zhan"]
    with app.app_context():  # deadlines (and so the escalation timers) as for every task
        assert all(db.session.get(HumanTask, t["id"]).due_at is not None for t in panel)

    # The expert sees only this task, not the campaign's pages, and must sign.
    expert = app.test_client()
    login(expert, "zj_zhan", EXPERT_PASSWORD)
    with app.app_context():
        assert [t.id for t in tasks.inbox(factories.user("zj_zhan"))["mine"]] == [expert_task["id"]]
        assert tasks.inbox(factories.user("zj_zhan"))["pool"] == []
    assert expert.get(f"/campaigns/{campaign_id}").status_code == 403
    with app.app_context():
        code = db.session.get(Campaign, campaign_id).code
    listed = expert.get("/campaigns/")
    assert listed.status_code == 200 and code not in listed.get_data(as_text=True)
    [problem] = _opinion_rows(app, "zj_zhan", expert_task["id"])
    page = submit(expert, expert_task["id"], [(f"opinions.{problem}.opinion", "冷库温度记录缺失，建议责令整改")], expect=422)
    assert "专家须确认" in page.get_data(as_text=True)

    for task in [t for t in panel if t["department_id"]]:
        username = s["partner_users"][task["department_id"]]
        rows = _opinion_rows(app, username, task["id"])
        factories.complete(app, username, task["id"], {"opinions": [
            {"key": key, "opinion": f"部门{task['department_id']}：本部门事项已核实", "suggested_handling": "rectify"}
            for key in rows]})
        assert factories.open_tasks(app, campaign_id, "diagnosis") == []  # the expert has not spoken yet

    submit(expert, expert_task["id"], [(f"opinions.{problem}.opinion", "冷库温度记录缺失，建议责令整改"),
                                       (f"opinions.{problem}.suggested_handling", "rectify"), ("sign", "on")])
    with app.app_context():
        signed = db.session.scalars(select(DiagnosisOpinion).where(DiagnosisOpinion.expert_id == expert_id)).one()
        assert signed.signature and opinion_records.verifies(signed)
        partner_names = [db.session.get(Department, d).name for d in partners]

    [decision] = factories.open_tasks(app, campaign_id, "diagnosis")
    lead = user_client(app, "scjg_01")
    html = lead.get(f"/inbox/tasks/{decision['id']}").get_data(as_text=True)
    for department_id in partners:
        assert f"部门{department_id}：本部门事项已核实" in html
    assert all(name in html for name in partner_names)
    assert "冷库温度记录缺失，建议责令整改" in html and f"专家 {expert_name}" in html and signed.signature[:16] in html

    submit(lead, decision["id"], [("assessment", "各部门和专家意见一致，责令整改"),
                                  (f"handling.{problem}.handling", "rectify")])
    report = lead.get(f"/reports/campaigns/{campaign_id}/diagnosis").get_data(as_text=True)
    assert "各部门和专家的会诊意见" in report and "冷库温度记录缺失，建议责令整改" in report
    for department_id in partners:
        assert f"部门{department_id}：本部门事项已核实" in report


def test_a_drawn_expert_without_an_account_is_named_to_the_lead_not_skipped_silently(app):
    with app.app_context():
        name = db.session.scalars(select(Expert.name).where(Expert.field == "食品安全")).one()
    campaign_id, _ = factories.campaign_at(app, "published", expert_field="食品安全")
    panel = factories.open_tasks(app, campaign_id, "diagnosis_opinion")
    assert panel and all(t["department_id"] is not None for t in panel)  # only the partner departments are asked
    factories.give_opinions(app, campaign_id)
    [decision] = factories.open_tasks(app, campaign_id, "diagnosis")
    page = user_client(app, "scjg_01").get(f"/inbox/tasks/{decision['id']}").get_data(as_text=True)
    assert "没有开通账号，未能参加会诊" in page and name in page
