"""The issue's end-to-end check for the enterprise's side: a campaign to publication; the enterprise logs in with
the code from the outbox, sees its findings and objects; the lead department corrects the result and /public/
shows 已更正; after diagnosis the enterprise submits rectification photos online and the department accepts;
credit repair is requested and granted."""
import io

from sqlalchemy import select

from extensions import db
from models import CreditRepair, FollowUp, HumanTask, Inspection, ItemResult, RectificationClaim, User
from services.stages import corrections, inspections
from services.workflow import tasks
from tests import factories
from tests.conftest import csrf_token, login
from tests.web.test_portal import _login

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200


def _diagnose_rectify(app, campaign_id: int, inspection_id: int) -> None:
    """Diagnosis as the lead department would do it, ordering rectification (with re-inspection) for our one."""
    factories.give_opinions(app, campaign_id)
    [task] = factories.open_tasks(app, campaign_id, "diagnosis")
    with app.app_context():
        view = tasks.task_form(factories.user("scjg_01"), task["id"])
        handling = []
        for row in view.context.rows["problem_inspections"]:
            entry = {"key": row.key, **view.context.initial["handling"][row.key], "note": None}
            if int(row.key) == inspection_id:
                entry |= {"handling": "rectify", "deadline_days": 10, "reinspect": True,
                          "note": "企业异议后更正，仍须整改并复查"}
            handling.append(entry)
    factories.complete(app, "scjg_01", task["id"], {"assessment": "个别企业存在问题", "handling": handling})


def test_enterprise_objects_rectifies_online_and_gets_credit_repair(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    campaign_id, _ = factories.campaign_at(app, "published", enterprises=2)
    with app.app_context():
        found = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id,
                                                            Inspection.result_code == "02")).first()
        inspection_id, enterprise_id, name = found.id, found.enterprise_id, found.enterprise.name
        failed = db.session.scalars(select(ItemResult.checklist_item_id).where(
            ItemResult.inspection_id == inspection_id, ItemResult.result == "fail")).first()
    portal = app.test_client()
    _login(app, portal, enterprise_id)  # the code is read from the outbox
    page = portal.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert "不符合" in page
    token = csrf_token(portal, f"/enterprise/inspections/{inspection_id}")
    assert portal.post(f"/enterprise/inspections/{inspection_id}/objection", data={
        "csrf_token": token, "item_ids": [str(failed)], "reason": "检查当日已责令改正并当场改正"}).status_code == 302
    [task] = factories.open_tasks(app, campaign_id, "objection_review")
    with app.app_context():
        lead = db.session.scalars(select(User).where(User.username == "scjg_01")).one()
        inspection = db.session.get(Inspection, inspection_id)
        corrections.correct(lead, inspection_id, inspections.snapshot(inspection) | {"result_code": "03"},
                            "企业异议成立：检查当日已责令改正")
        tasks.complete(lead, task["id"], {"decision": "correct", "response": "经复核，结果更正为“发现问题经责令已改正”"})
    assert "已更正" in app.test_client().get(f"/public/?q={name}").get_data(as_text=True)

    _diagnose_rectify(app, campaign_id, inspection_id)
    path = f"/enterprise/inspections/{inspection_id}/rectification"
    assert portal.post(path, content_type="multipart/form-data", data={
        "csrf_token": csrf_token(portal, path), f"action-{failed}": "已更换全部过期灭火器",
        f"evidence-{failed}": [(io.BytesIO(JPEG), "灭火器.jpg")]}).status_code == 302
    with app.app_context():
        claim_id = db.session.scalars(select(RectificationClaim.id)).one()
        rectification = db.session.scalars(select(HumanTask).where(
            HumanTask.inspection_id == inspection_id, HumanTask.form_key == "rectification")).one()
        officer = (db.session.get(User, rectification.candidates[0].user_id).username if rectification.candidates
                   else "scjg_01")
    department = app.test_client()
    login(department, officer)
    assert department.post(f"/applications/claims/{claim_id}/accept", data={
        "csrf_token": csrf_token(department, f"/applications/claims/{claim_id}")}).status_code == 302
    [reinspection] = factories.open_tasks(app, campaign_id, "reinspection")
    reinspector = reinspection["candidates"][0] if reinspection["candidates"] else officer
    page = app.test_client()
    login(page, reinspector)
    assert "已更换全部过期灭火器" in page.get(f"/inbox/tasks/{reinspection['id']}").get_data(as_text=True)
    factories.complete(app, reinspector, reinspection["id"], {"confirmed": "yes", "finding": "复查确认整改到位"})
    with app.app_context():
        follow_up = db.session.scalars(select(FollowUp).where(FollowUp.inspection_id == inspection_id)).one()
        assert follow_up.status == "closed" and follow_up.rectified

    assert portal.post("/enterprise/credit-repair", data={
        "csrf_token": csrf_token(portal, "/enterprise/credit-repair"), "follow_up_id": str(follow_up.id),
        "statement": "已整改到位并经复查确认，申请信用修复"}).status_code == 302
    lead_client = app.test_client()
    login(lead_client, "scjg_01")
    with app.app_context():
        repair_id = db.session.scalars(select(CreditRepair.id)).one()
    assert lead_client.post(f"/applications/credit-repairs/{repair_id}", data={
        "csrf_token": csrf_token(lead_client, "/applications/"), "decision": "grant",
        "response": "整改到位，准予修复"}).status_code == 302
    assert "准予信用修复" in portal.get("/enterprise/credit-repair").get_data(as_text=True)
