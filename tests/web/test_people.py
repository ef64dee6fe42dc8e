"""Passwords (admin/department admin set one for an official; a user changes their own) and the expert edit page."""
from sqlalchemy import select

from domain import passwords
from extensions import db
from models import ApiToken, AuditRecord, Expert, User
from services.imports.people import UNUSABLE_PASSWORD
from tests.conftest import csrf_token, login

NEW = "Qichun2026x"


def _user(app, username: str) -> User:
    with app.app_context():
        return db.session.scalars(select(User).where(User.username == username)).one()


def _client(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


def _can_log_in(app, username: str, password: str) -> bool:
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"username": username, "password": password,
                                            "csrf_token": token}).status_code == 302


def _set(client, user_id: int, new: str, confirm: str | None = None, token: bool = True):
    path = f"/directory/officials/{user_id}/password"
    data = {"new": new, "confirm": new if confirm is None else confirm}
    if token:
        data["csrf_token"] = csrf_token(client, path)
    return client.post(path, data=data)


def test_strength_rule():
    assert passwords.problems(NEW, "scjg_02") == []
    assert passwords.problems("short1", "x")
    assert passwords.problems("onlyletters", "x") == ["密码须同时包含字母和数字"]
    assert "密码不能包含账号名" in passwords.problems("scjg_02abc", "scjg_02")
    assert "密码过于常见" in passwords.problems("password1", "x")


def test_admin_sets_password_of_an_imported_official(app):
    target = _user(app, "scjg_02")
    with app.app_context():
        db.session.get(User, target.id).password_hash = UNUSABLE_PASSWORD
        db.session.add(ApiToken(user_id=target.id, token_hash="x" * 64, expires_at=target_expiry()))
        db.session.commit()
    assert not _can_log_in(app, "scjg_02", "demo12345")
    admin = _client(app, "admin")
    assert "设置/重置登录密码" in admin.get(f"/directory/officials/{target.id}").get_data(as_text=True)
    assert _set(admin, target.id, "weak").status_code == 422
    assert _set(admin, target.id, NEW, NEW + "y").status_code == 422  # confirmation differs
    assert _set(admin, target.id, NEW, token=False).status_code == 400  # CSRF
    assert _set(admin, target.id, NEW).status_code == 302
    assert _can_log_in(app, "scjg_02", NEW)
    with app.app_context():
        stored = db.session.get(User, target.id).password_hash
        assert NEW not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
        assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == target.id)).revoked_at is not None
        record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "auth.password_set")).one()
        assert record.object_id == target.id and NEW not in str(record.detail)


def target_expiry():
    from datetime import datetime
    return datetime(2100, 1, 1)


def test_who_may_set_a_password(app):
    own, other_dept, admin = _user(app, "scjg_02"), _user(app, "wjw_01"), _user(app, "admin")
    dept_admin = _client(app, "scjg_admin")
    assert _set(dept_admin, own.id, NEW).status_code == 302  # their own department's official
    assert _can_log_in(app, "scjg_02", NEW)
    assert dept_admin.get(f"/directory/officials/{other_dept.id}/password").status_code == 403
    assert dept_admin.post(f"/directory/officials/{other_dept.id}/password",
                           data={"new": NEW, "confirm": NEW,
                                 "csrf_token": csrf_token(dept_admin, "/auth/password")}).status_code == 403
    scjg_admin = _user(app, "scjg_admin")
    assert dept_admin.get(f"/directory/officials/{scjg_admin.id}/password").status_code == 403  # not oneself
    official = _client(app, "scjg_01")
    assert official.get(f"/directory/officials/{own.id}/password").status_code == 403
    assert "设置/重置登录密码" not in official.get(f"/directory/officials/{own.id}").get_data(as_text=True)
    assert _client(app, "admin").get(f"/directory/officials/{admin.id}/password").status_code in (403, 404)
    assert _can_log_in(app, "wjw_01", "demo12345")  # untouched


def test_user_changes_own_password(app):
    client = _client(app, "scjg_01")
    token = csrf_token(client, "/auth/password")
    wrong = client.post("/auth/password", data={"current": "nope", "new": NEW, "confirm": NEW, "csrf_token": token})
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    weak = client.post("/auth/password", data={"current": "demo12345", "new": "abc", "confirm": "abc",
                                               "csrf_token": token})
    assert weak.status_code == 422
    assert client.post("/auth/password", data={"current": "demo12345", "new": NEW, "confirm": NEW}).status_code == 400
    done = client.post("/auth/password", data={"current": "demo12345", "new": NEW, "confirm": NEW, "csrf_token": token})
    assert done.status_code == 302
    assert _can_log_in(app, "scjg_01", NEW) and not _can_log_in(app, "scjg_01", "demo12345")
    assert app.test_client().get("/auth/password").status_code == 302  # login required
    with app.app_context():
        assert db.session.scalar(select(AuditRecord).where(AuditRecord.action == "auth.password_change")) is not None


def test_admin_edits_an_expert(app):
    with app.app_context():
        first, second = db.session.scalars(select(Expert).order_by(Expert.id).limit(2)).all()
        first_id, second_cert = first.id, second.cert_no
    path = f"/directory/experts/{first_id}/edit"
    for username in ("scjg_admin", "scjg_01"):
        assert _client(app, username).get(path).status_code == 403
    admin = _client(app, "admin")
    token = csrf_token(admin, path)
    form = {"name": "王建国", "cert_no": "EXP-9001", "field": "特种设备", "organisation": "黄冈市特检所",
            "region_id": "", "active": "on", "csrf_token": token}
    duplicate = admin.post(path, data={**form, "cert_no": second_cert})
    assert duplicate.status_code == 422 and "证件号已被其他专家使用" in duplicate.get_data(as_text=True)
    assert admin.post(path, data={**form, "name": ""}).status_code == 422
    assert admin.post(path, data={k: v for k, v in form.items() if k != "csrf_token"}).status_code == 400
    assert _client(app, "scjg_admin").post(path, data=form).status_code in (400, 403)
    assert admin.post(path, data={**form, "active": ""}).status_code == 302
    page = admin.get(f"/directory/experts/{first_id}").get_data(as_text=True)
    assert "王建国" in page and "特种设备" in page and "停用" in page
    with app.app_context():
        expert = db.session.get(Expert, first_id)
        assert (expert.cert_no, expert.organisation, expert.active) == ("EXP-9001", "黄冈市特检所", False)
        record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "directory.expert_update")).one()
        assert record.detail["changes"]["cert_no"][1] == "EXP-9001" and record.detail["changes"]["active"] == [True, False]
