"""Diagnosis with DMN grades and overrides, then follow-up until the campaign's follow-up closes."""
from datetime import timedelta

from sqlalchemy import func, select

from extensions import db
from models import (AuditRecord, Campaign, Case, Diagnosis, FollowUp, HandlingDecision, Notification, Transfer)
from services.workflow import clock
from services.workflow import timers
from tests.conftest import csrf_token
from tests import factories
from tests.e2e.journey import open_tasks, submit, user_client
from tests.factories import give_opinions, initiate, plan_and_approve, report_in, scope


def _to_diagnosis(app, enterprises: int = 4, problems: int = 3) -> tuple[int, list[dict], object]:
    s = scope(app, enterprises)
    campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)
    inspections = open_tasks(app, campaign_id, "joint_inspection")
    for i, task in enumerate(inspections):
        factories.sign_off(app, campaign_id, task, problem=i < problems)
    factories.publish(app, campaign_id)
    return campaign_id, inspections, user_client(app, "scjg_01")


def _stage(app, campaign_id: int) -> str:
    with app.app_context():
        return db.session.get(Campaign, campaign_id).stage


def test_override_needs_a_reason_and_follow_up_closes_when_all_are_closed(app):
    campaign_id, inspections, lead = _to_diagnosis(app)
    a, b, c = (t["inspection_id"] for t in inspections[:3])
    give_opinions(app, campaign_id)
    [diagnosis] = open_tasks(app, campaign_id, "diagnosis")
    page = lead.get(f"/inbox/tasks/{diagnosis['id']}").get_data(as_text=True)
    assert "等级 B" in page and "系统建议：责令整改" in page  # one failed item, domain 04: DMN row 7

    base = [("assessment", "个别企业存在问题")]
    override_without_reason = base + [(f"handling.{a}.handling", "rectify"), (f"handling.{a}.reinspect", "on"),
                                      (f"handling.{b}.handling", "rectify"), (f"handling.{c}.handling", "transfer"),
                                      (f"handling.{c}.authority", "蕲春县公安局"),
                                      (f"handling.{c}.authority_kind", "public_security")]
    response = submit(lead, diagnosis["id"], override_without_reason, expect=422)
    assert "须填写理由" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HandlingDecision)) == 0

    submit(lead, diagnosis["id"], override_without_reason + [(f"handling.{c}.note", "涉嫌妨碍公务")])
    with app.app_context():
        decisions = {d.inspection_id: d for d in db.session.scalars(select(HandlingDecision))}
        assert (decisions[c].suggested, decisions[c].handling, decisions[c].override_reason) == (
            "rectify", "transfer", "涉嫌妨碍公务")
        assert decisions[a].grade == "B" and decisions[a].override_reason is None and decisions[a].decision_version == 1
        assert len(decisions) == 4 and decisions[inspections[3]["inspection_id"]].grade == "A"
        assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.action == "diagnosis.override")) == 1
        assert db.session.scalars(select(Diagnosis)).one().open_follow_ups == 3
        [transfer] = db.session.scalars(select(Transfer)).all()
        transfer_id, enterprise_id = transfer.id, transfer.enterprise_id
    assert _stage(app, campaign_id) == "follow_up"

    tasks = {t["inspection_id"]: t for t in open_tasks(app, campaign_id, "rectification")}
    officer_b = user_client(app, tasks[b]["candidates"][0])
    submit(officer_b, tasks[b]["id"], [("rectified", "yes"), ("rectification", "已补办健康证"), ("evidence", "健康证复印件")])
    officer_a = user_client(app, tasks[a]["candidates"][0])
    submit(officer_a, tasks[a]["id"], [("rectified", "yes"), ("rectification", "已公示许可证")])
    [reinspection] = open_tasks(app, campaign_id, "reinspection")  # the order for a asked for a re-inspection
    assert _stage(app, campaign_id) == "follow_up"
    submit(officer_a, reinspection["id"], [("confirmed", "yes"), ("finding", "现场复查已整改")])
    assert _stage(app, campaign_id) == "follow_up"  # the transfer is not acknowledged yet
    assert open_tasks(app, campaign_id, "performance_review") == []

    partner = user_client(app, "wjw_01")  # not the lead department
    token = csrf_token(lead, f"/follow-up/enterprises/{enterprise_id}")
    assert partner.post(f"/follow-up/transfers/{transfer_id}/acknowledge",
                        data={"csrf_token": csrf_token(partner, "/inbox/"), "acknowledged_by": "张警官"}).status_code == 403
    # No receiver: refused in Chinese beside the field, summary on top, the receipt number typed is kept.
    refused = lead.post(f"/follow-up/transfers/{transfer_id}/acknowledge",
                        data={"csrf_token": token, "acknowledged_by": "  ", "receipt_no": "蕲公回〔2026〕12号"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and page.count("请填写接收人") == 2
    assert f'href="#f-transfer-{transfer_id}-acknowledged_by"' in page
    assert f'aria-describedby="e-transfer-{transfer_id}-acknowledged_by"' in page
    assert f'name="receipt_no" value="蕲公回〔2026〕12号"' in page
    assert _stage(app, campaign_id) == "follow_up"
    response = lead.post(f"/follow-up/transfers/{transfer_id}/acknowledge",
                         data={"csrf_token": token, "acknowledged_by": "张警官", "receipt_no": "蕲公回〔2026〕12号"})
    assert response.status_code == 302
    assert _stage(app, campaign_id) == "review"
    assert len(open_tasks(app, campaign_id, "performance_review")) == 1
    with app.app_context():
        assert db.session.scalars(select(Diagnosis)).one().open_follow_ups == 0
        assert all(f.status == "closed" for f in db.session.scalars(select(FollowUp)))


def test_case_handling_opens_a_case_and_overdue_rectification_escalates_once(app):
    campaign_id, inspections, lead = _to_diagnosis(app, enterprises=3, problems=2)
    a, b = (t["inspection_id"] for t in inspections[:2])
    give_opinions(app, campaign_id)
    [diagnosis] = open_tasks(app, campaign_id, "diagnosis")
    submit(lead, diagnosis["id"], [("assessment", "评估"), (f"handling.{a}.handling", "rectify"),
                                   (f"handling.{a}.deadline_days", "5"),
                                   (f"handling.{b}.handling", "case"), (f"handling.{b}.note", "多次违规")])
    with app.app_context():
        [case] = db.session.scalars(select(Case)).all()
        assert (case.inspection_id, case.status, case.procedure) == (b, "open", "general")
        [follow_up] = db.session.scalars(select(FollowUp)).all()
        assert follow_up.working_days == 5 and follow_up.escalated_at is None
        clock.advance(timedelta(days=12))  # 5 working days are at most 11 calendar days (a week-long holiday aside)
        timers.fire_due()
        timers.fire_due()
        follow_up = db.session.get(FollowUp, follow_up.id)
        assert follow_up.escalated_at is not None
        notes = db.session.scalars(select(Notification).where(Notification.kind == "follow_up.overdue")).all()
        assert len(notes) >= 1 and len({n.department_id for n in notes}) == len(notes)  # once per department
        case_id = case.id

    [task] = open_tasks(app, campaign_id, "rectification")
    submit(user_client(app, task["candidates"][0]), task["id"], [("rectified", "no"), ("rectification", "逾期未整改")])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 2  # the failed rectification became a case
    assert _stage(app, campaign_id) == "review"

    # The case: its department records procedure, penalty and closing; closing needs the outcome.
    assert user_client(app, "xf_01").get(f"/follow-up/cases/{case_id}").status_code == 403
    assert app.test_client().get(f"/follow-up/cases/{case_id}").status_code == 302
    token = csrf_token(lead, f"/follow-up/cases/{case_id}")
    assert lead.post(f"/follow-up/cases/{case_id}", data={"csrf_token": token, "procedure": "summary",
                                                          "status": "closed", "penalty": "500"}).status_code == 422
    assert lead.post(f"/follow-up/cases/{case_id}", data={"csrf_token": token, "procedure": "summary", "status": "closed",
                                                          "penalty": "500", "summary": "警告并罚款"}).status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.procedure, case.status, str(case.penalty_amount)) == ("summary", "closed", "500.00")
        assert case.closed_at is not None


def test_credit_commitment_and_service_record(app):
    client = user_client(app, "scjg_01")
    with app.app_context():
        from models import Enterprise
        enterprise_id = db.session.scalars(select(Enterprise.id).order_by(Enterprise.id)).first()
    path = f"/follow-up/enterprises/{enterprise_id}"
    token = csrf_token(client, path)
    assert client.post(f"{path}/commitments", data={"csrf_token": token, "content": ""}).status_code == 422
    assert client.post(f"{path}/commitments", data={"csrf_token": token, "content": "依法诚信经营",
                                                    "signed_on": clock.today().isoformat()}).status_code == 302
    assert client.post(f"{path}/services", data={"csrf_token": token, "kind": "law", "content": "送达《食品安全法》解读",
                                                 "delivered_on": clock.today().isoformat()}).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "依法诚信经营" in page and "送法律" in page
    anonymous = app.test_client()
    assert anonymous.get(path).status_code == 302
    designer = user_client(app, "designer")
    assert designer.get(path).status_code == 403
    assert designer.get("/follow-up/cases").status_code == 200  # lists only the department's (none)


def test_report_lists_graded_enterprises_after_diagnosis(app):
    campaign_id, inspections, lead = _to_diagnosis(app, enterprises=2, problems=1)
    give_opinions(app, campaign_id)
    [diagnosis] = open_tasks(app, campaign_id, "diagnosis")
    submit(lead, diagnosis["id"], [("assessment", "评估"),  # confirms the suggestion
                                   (f"handling.{inspections[0]['inspection_id']}.handling", "rectify")])
    html = lead.get(f"/reports/campaigns/{campaign_id}/diagnosis").get_data(as_text=True)
    assert "需后续监管的企业" in html and "责令整改" in html and "B 级" in html
    assert lead.get("/reports/").status_code == 200
