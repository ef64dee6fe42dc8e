"""Self-check against the industry's checklist, shown to the officers as context; the compliance guide and the
public matter list readable without any login."""
from sqlalchemy import select

from extensions import db
from models import Enterprise, HumanTask, Inspection, SelfCheck, User
from services.directory import catalogue
from tests import factories
from tests.conftest import csrf_token, login
from tests.web.test_portal import _login


def test_guide_and_manual_need_no_login(client):
    page = client.get("/enterprise/guide/")
    assert page.status_code == 200 and "/public/matters/" in page.get_data(as_text=True)
    with client.application.app_context():
        industry_id = catalogue.list_industries()[0].id
    assert f"/enterprise/guide/industries/{industry_id}" in page.get_data(as_text=True)
    manual = client.get(f"/enterprise/guide/industries/{industry_id}")
    assert manual.status_code == 200 and "合规手册" in manual.get_data(as_text=True)
    assert "/enterprise/guide/" in client.get("/enterprise/login").get_data(as_text=True)
    assert client.get("/public/matters/").status_code == 200
    english = client.get(f"/enterprise/guide/industries/{industry_id}", headers={"Accept-Language": "en"})
    assert "compliance manual" in english.get_data(as_text=True).lower()


def test_self_check_is_saved_and_shown_to_the_officers_as_context(app):
    campaign_id, _ = factories.campaign_at(app, "drawn", enterprises=2)
    [task] = factories.open_tasks(app, campaign_id, "joint_inspection")[:1]
    with app.app_context():
        enterprise_id = db.session.get(Inspection, task["inspection_id"]).enterprise_id
        items = [i.id for i in catalogue.checklist(db.session.get(Enterprise, enterprise_id).industry_id).items]
    portal = app.test_client()
    _login(app, portal, enterprise_id)
    token = csrf_token(portal, "/enterprise/self-check")
    partial = portal.post("/enterprise/self-check", data={"csrf_token": token, f"result-{items[0]}": "pass"})
    assert partial.status_code == 422 and "请逐项选择自查结果" in partial.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(SelfCheck)).all() == []
    answers = {f"result-{i}": "pass" for i in items} | {f"result-{items[0]}": "fail", f"note-{items[0]}": "消防通道堆放杂物，正在清理"}
    assert portal.post("/enterprise/self-check", data={"csrf_token": token, **answers}).status_code == 302
    assert "自查不符合 1 项" in portal.get("/enterprise/self-check").get_data(as_text=True)
    officer = app.test_client()
    login(officer, task["candidates"][0])
    page = officer.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert "企业自查（仅供参考，不代替检查）" in page and "正在清理" in page
    with app.app_context():  # context only: the inspection records no finding from it
        inspection = db.session.get(Inspection, task["inspection_id"])
        assert inspection.result_code is None and not inspection.item_results
