"""Every listed task says what it is about: enterprise or department, campaign, stage, time left, urgency."""
from datetime import timedelta

import lxml.html
from sqlalchemy import select

from extensions import db
from models import Campaign, Department, HumanTask, Inspection
from services.workflow import clock
from tests.conftest import csrf_token
from tests.e2e.journey import initiate, open_tasks, plan_and_approve, report_in, scope, user_client


def _at_inspection(app):
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id, decline_last=False)
    return s, campaign_id


def _rows(html: str) -> list:
    return _css(lxml.html.fromstring(html), "tr", "task")


def _css(element, tag: str, cls: str) -> list:
    """Elements `tag` under `element` whose class list holds `cls` (lxml without cssselect)."""
    return element.xpath(f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")


def _text(element) -> str:
    return " ".join(element.text_content().split())


def test_inbox_card_names_enterprise_campaign_stage_and_days_left(app):
    _, campaign_id = _at_inspection(app)
    task = open_tasks(app, campaign_id, "joint_inspection")[0]
    with app.app_context():
        enterprise = db.session.get(Inspection, task["inspection_id"]).enterprise
        campaign = db.session.get(Campaign, campaign_id)
        name, uscc, title, code = enterprise.name, enterprise.uscc, campaign.title, campaign.code
    officer = user_client(app, task["candidates"][0])
    [row] = [r for r in _rows(officer.get("/inbox/").get_data(as_text=True)) if r.get("data-task-id") == str(task["id"])]
    text = _text(row)
    assert name in text and "…" + uscc[-6:] in text
    assert title in text and code in text and "联合检查" in text
    assert "个工作日" in text and "已超期" not in text
    # a shared team task may be claimed, and says so: optional, with the others on the team
    assert "认领（可选）" in text and "共同办理" in text


def test_overdue_task_is_marked_and_sorted_first_and_filters_narrow_the_inbox(app):
    s, campaign_id = _at_inspection(app)
    lead = user_client(app, "scjg_01")
    with app.app_context():
        # the lead's department holds other open work too: push one joint inspection past its deadline
        late = db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign_id,
                                                          HumanTask.form_key == "joint_inspection",
                                                          HumanTask.status == "open")).first()
        late.due_at = clock.now() - timedelta(days=1)
        db.session.commit()
        late_id, candidate = late.id, late.candidates[0].user_id
        from models import User
        username = db.session.get(User, candidate).username
    officer = user_client(app, username)
    rows = _rows(officer.get("/inbox/").get_data(as_text=True))
    assert rows[0].get("data-task-id") == str(late_id)
    assert "overdue" in rows[0].get("class") and "已超期" in _text(rows[0])
    # filters: another stage leaves nothing of this campaign's inspections
    html = officer.get(f"/inbox/?campaign_id={campaign_id}&stage=publication").get_data(as_text=True)
    assert not [r for r in _rows(html) if r.get("data-task-id") == str(late_id)]
    html = officer.get(f"/inbox/?campaign_id={campaign_id}&stage=joint_inspection").get_data(as_text=True)
    assert [r for r in _rows(html) if r.get("data-task-id") == str(late_id)]
    assert "已超期" not in _text(lxml.html.fromstring(lead.get("/inbox/?campaign_id=999999").get_data(as_text=True)))


def test_department_task_names_department_and_claim_is_optional_then_hidden_once_mine(app):
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    task = open_tasks(app, campaign_id, "partner_confirmation")[0]
    with app.app_context():
        department = db.session.get(Department, task["department_id"]).name
    partner = user_client(app, s["partner_users"][task["department_id"]])
    [row] = [r for r in _rows(partner.get("/inbox/").get_data(as_text=True)) if r.get("data-task-id") == str(task["id"])]
    assert department in _text(row) and "认领（可选）" in _text(row)
    partner.post(f"/inbox/tasks/{task['id']}/claim", data={"csrf_token": csrf_token(partner, "/inbox/")})
    [row] = [r for r in _rows(partner.get("/inbox/").get_data(as_text=True)) if r.get("data-task-id") == str(task["id"])]
    assert "认领" not in _text(row).replace("已认领", "") and "已认领" in _text(row)


def test_campaign_page_and_api_name_the_enterprise(app):
    _, campaign_id = _at_inspection(app)
    task = open_tasks(app, campaign_id, "joint_inspection")[0]
    with app.app_context():
        name = db.session.get(Inspection, task["inspection_id"]).enterprise.name
    page = user_client(app, "supervisor").get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    [row] = [r for r in _rows(page) if f"/inbox/tasks/{task['id']}" in lxml.html.tostring(r, encoding=str)]
    assert name in _text(row) and "个工作日" in _text(row)

    api = app.test_client()
    token = api.post("/api/v1/tokens", json={"username": task["candidates"][0], "password": "demo12345"}).get_json()["token"]
    body = api.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).get_json()
    [listed] = [t for t in body["mine"] + body["pool"] if t["id"] == task["id"]]
    assert listed["about"]["enterprise_name"] == name
    assert listed["about"]["urgency"] in ("normal", "urgent") and listed["about"]["working_days_left"] >= 0


def test_dashboard_reds_only_what_is_overdue(app):
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    supervisor = user_client(app, "supervisor")

    def campaign_row():
        doc = lxml.html.fromstring(supervisor.get("/dashboard/").get_data(as_text=True))
        [row] = [r for r in doc.xpath(".//tbody/tr") if f"/campaigns/{campaign_id}" in lxml.html.tostring(r, encoding=str)
                 and not r.get("class", "").startswith("task")]
        return row

    due = _css(campaign_row(), "td", "due")[0]
    assert "late" not in due.get("class") and "超期" not in _text(due)  # a future deadline is not red
    clock.advance(timedelta(days=20))
    row = campaign_row()
    assert "late" in _css(row, "td", "due")[0].get("class") and "超期" in _text(_css(row, "td", "due")[0])
    doc = lxml.html.fromstring(supervisor.get("/dashboard/").get_data(as_text=True))
    assert any("牵头部门吹哨" in _text(r) and "已超期" in _text(r) for r in _css(doc, "tr", "overdue") if "task" in r.get("class"))
