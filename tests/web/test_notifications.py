"""Notices reach only the people concerned; a department notice is read per person; the header badge counts."""
import re

from sqlalchemy import select

from extensions import db
from models import Department, Notification, User
from services.workflow import timers
from tests.conftest import csrf_token, login


def _badge(client) -> int:
    match = re.search(r'消息 <span class="badge unread">(\d+)</span>', client.get("/inbox/").get_data(as_text=True))
    return int(match.group(1)) if match else 0


def _seed(app) -> tuple[int, int]:
    with app.app_context():
        supervisor = db.session.scalars(select(User).where(User.username == "supervisor")).one()
        scjg = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
        mine = timers.notify("给联席会办公室的提醒", "sla.stage", user_id=supervisor.id)
        dept = timers.notify("给市场监管局的提醒", "sla.task", department_id=scjg.id)
        db.session.commit()
        return mine.id, dept.id


def test_each_user_sees_only_their_own_and_their_departments_notices(app):
    personal, departmental = _seed(app)
    clients = {}
    for name in ("supervisor", "scjg_01", "scjg_02", "wjw_01"):
        clients[name] = app.test_client()
        login(clients[name], name)
    pages = {name: c.get("/notifications/").get_data(as_text=True) for name, c in clients.items()}
    assert "给联席会办公室的提醒" in pages["supervisor"] and "给市场监管局的提醒" not in pages["supervisor"]
    for name in ("scjg_01", "scjg_02"):
        assert "给市场监管局的提醒" in pages[name] and "给联席会办公室的提醒" not in pages[name]
    assert "暂无消息" in pages["wjw_01"]
    assert [_badge(clients[n]) for n in ("supervisor", "scjg_01", "scjg_02", "wjw_01")] == [1, 1, 1, 0]

    # Reading a department notice marks it for that person only.
    token = csrf_token(clients["scjg_01"], "/notifications/")
    assert clients["scjg_01"].post(f"/notifications/{departmental}/read", data={"csrf_token": token}).status_code == 302
    assert [_badge(clients[n]) for n in ("scjg_01", "scjg_02")] == [0, 1]

    # Someone else's notice cannot be read or even confirmed to exist.
    token = csrf_token(clients["wjw_01"], "/notifications/")
    for note_id in (personal, departmental):
        assert clients["wjw_01"].post(f"/notifications/{note_id}/read", data={"csrf_token": token}).status_code == 404
    assert clients["wjw_01"].post(f"/notifications/{personal}/read").status_code == 400  # CSRF protected

    token = csrf_token(clients["supervisor"], "/notifications/")
    assert clients["supervisor"].post("/notifications/read-all", data={"csrf_token": token}).status_code == 302
    assert _badge(clients["supervisor"]) == 0 and _badge(clients["scjg_02"]) == 1


def test_notifications_need_login(client):
    assert client.get("/notifications/").status_code == 302


def test_identical_reminders_show_once_name_the_enterprise_and_lead_to_the_task(app):
    """An overdue joint inspection: the reminder names the enterprise and campaign; the same line sent twice is
    one line (with its count); 去处理 opens the task; reading it reads both."""
    from datetime import timedelta
    from models import HumanTask, Inspection
    from services.workflow import clock
    from tests.e2e.journey import initiate, open_tasks, plan_and_approve, report_in, scope, user_client
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id, decline_last=False)
    task = open_tasks(app, campaign_id, "joint_inspection")[0]
    with app.app_context():
        name = db.session.get(Inspection, task["inspection_id"]).enterprise.name
        supervisor_id = db.session.scalars(select(User.id).where(User.username == "supervisor")).one()
        due = db.session.get(HumanTask, task["id"]).due_at
    clock.advance(due - clock.now() + timedelta(days=1))
    with app.app_context():
        timers.fire_due()
        line = db.session.scalars(select(Notification).where(
            Notification.user_id == supervisor_id, Notification.link == f"/inbox/tasks/{task['id']}")).one()
        timers.notify(line.message, line.kind, user_id=supervisor_id, campaign_id=campaign_id, link=line.link)  # again
        db.session.commit()
        message = line.message
    assert name in message and "已超过办理时限" in message
    supervisor = user_client(app, "supervisor")
    page = supervisor.get("/notifications/").get_data(as_text=True)
    assert page.count(message) == 1 and "共 2 条相同提醒" in page
    token = csrf_token(supervisor, "/notifications/")
    opened = supervisor.post(f"/notifications/{line.id}/read", data={"csrf_token": token, "open": "1"})
    assert opened.headers["Location"].endswith(f"/inbox/tasks/{task['id']}")
    assert message not in supervisor.get("/notifications/?unread=1").get_data(as_text=True)
