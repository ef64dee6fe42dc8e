"""Notices reach only the people concerned; a department notice is read per person; the header badge counts."""
import re

from sqlalchemy import select

from extensions import db
from models import Department, User
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
