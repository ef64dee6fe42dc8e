"""Sessions and API tokens end: logout, password change, an admin's password reset and revocation end them."""
from extensions import db
from models import ApiToken, AuditRecord, User
from demo.county import DEMO_PASSWORD
from services import auth
from sqlalchemy import select
from tests.conftest import csrf_token, login

NEW_PASSWORD = "Changed2026pw"


def _token(client, username: str) -> str:
    response = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 201
    return response.get_json()["token"]


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _replay(app, cookie: str):
    """A second browser (an attacker who copied the cookie) presents the old session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/inbox/")


def _logout(client):
    return client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/password")})


def test_old_cookie_after_logout_leads_to_the_login_page(app, client):
    login(client, "scjg_01")
    cookie = client.get_cookie("session").value
    assert _replay(app, cookie).status_code == 200
    assert _logout(client).status_code == 302
    replay = _replay(app, cookie)
    assert replay.status_code == 302 and "/auth/login" in replay.headers["Location"]


def test_logout_ends_the_users_api_tokens_and_other_sessions(app, client):
    other_browser = app.test_client()
    login(other_browser, "scjg_01")
    token = _token(app.test_client(), "scjg_01")
    login(client, "scjg_01")
    _logout(client)
    assert app.test_client().get("/api/v1/tasks", headers=_bearer(token)).status_code == 401
    assert other_browser.get("/inbox/").status_code == 302
    with app.app_context():
        entry = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "auth.sessions_end")
                                   .order_by(AuditRecord.id.desc())).first()
        assert entry.detail["reason"] == "logout" and len(entry.detail["tokens_revoked"]) == 1


def test_password_change_ends_old_cookies_and_tokens_but_keeps_this_browser(app, client):
    login(client, "scjg_02")
    old_cookie = client.get_cookie("session").value
    token = _token(app.test_client(), "scjg_02")
    response = client.post("/auth/password", data={"current": DEMO_PASSWORD, "new": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD,
                                                   "csrf_token": csrf_token(client, "/auth/password")},
                           follow_redirects=True)
    assert "密码已修改，其他设备上的登录和所有访问令牌已失效" in response.get_data(as_text=True)
    assert client.get("/inbox/").status_code == 200  # the browser that changed it stays logged in
    replay = _replay(app, old_cookie)
    assert replay.status_code == 302 and "/auth/login" in replay.headers["Location"]
    refused = app.test_client().get("/api/v1/tasks", headers=_bearer(token))
    assert refused.status_code == 401 and refused.content_type == "application/problem+json"


def test_password_set_by_an_admin_ends_the_officials_sessions(app, client):
    victim = app.test_client()
    login(victim, "scjg_03")
    token = _token(app.test_client(), "scjg_03")
    with app.app_context():
        target = db.session.scalar(select(User).where(User.username == "scjg_03")).id
    login(client, "admin")
    page = f"/directory/officials/{target}/password"
    response = client.post(page, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                       "csrf_token": csrf_token(client, page)})
    assert response.status_code == 302
    assert victim.get("/inbox/").status_code == 302
    assert app.test_client().get("/api/v1/tasks", headers=_bearer(token)).status_code == 401


def test_delete_current_token_revokes_it(app, client):
    token = _token(client, "scjg_01")
    assert client.get("/api/v1/tasks", headers=_bearer(token)).status_code == 200
    assert client.delete("/api/v1/tokens/current", headers=_bearer(token)).status_code == 204
    refused = client.get("/api/v1/tasks", headers=_bearer(token))
    assert refused.status_code == 401
    assert client.delete("/api/v1/tokens/current", headers=_bearer(token)).status_code == 401


def test_admin_revokes_another_users_token_and_others_may_not(app, client):
    victim = _token(client, "scjg_01")
    other = _token(client, "scjg_02")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == auth._digest(victim)))
    refused = client.delete(f"/api/v1/tokens/{token_id}", headers=_bearer(other))
    assert refused.status_code == 403
    assert client.get("/api/v1/tasks", headers=_bearer(victim)).status_code == 200
    admin = _token(client, "admin")
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=_bearer(admin)).status_code == 204
    assert client.get("/api/v1/tasks", headers=_bearer(victim)).status_code == 401


def test_own_page_lists_tokens_and_revokes_one(app, client):
    token = _token(client, "scjg_04")
    assert client.get("/api/v1/tasks", headers=_bearer(token)).status_code == 200  # sets "last used"
    login(client, "scjg_04")
    page = client.get("/auth/tokens").get_data(as_text=True)
    assert "有效" in page and "撤销" in page
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == auth._digest(token)))
        assert row.created_at is not None and row.last_used_at is not None
        token_id = row.id
    response = client.post(f"/auth/tokens/{token_id}/revoke",
                           data={"csrf_token": csrf_token(client, "/auth/tokens")}, follow_redirects=True)
    assert "访问令牌已撤销" in response.get_data(as_text=True)
    assert "已撤销" in response.get_data(as_text=True)
    assert client.get("/api/v1/tasks", headers=_bearer(token)).status_code == 401


def test_another_users_token_page_is_refused_except_to_admins(app, client):
    with app.app_context():
        target = db.session.scalar(select(User).where(User.username == "scjg_05")).id
    login(client, "scjg_01")
    assert client.get(f"/auth/users/{target}/tokens").status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    assert admin.get(f"/auth/users/{target}/tokens").status_code == 200


def test_disabled_user_and_role_change_through_the_service(app):
    """The one function the account-lifecycle code calls: a disable or role change ends everything."""
    client = app.test_client()
    token = _token(client, "scjg_06")
    login(client, "scjg_06")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "scjg_06"))
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        auth.end_all_sessions(user, "roles_changed", actor=admin)
        db.session.commit()
    assert client.get("/inbox/").status_code == 302
    assert client.get("/api/v1/tasks", headers=_bearer(token)).status_code == 401


def test_token_page_in_english(app):
    from tests.web.test_i18n import assert_english, english_client, stored_strings
    _token(app.test_client(), "scjg_01")
    assert_english(english_client(app, "scjg_01").get("/auth/tokens"), stored_strings(app))


def test_sessions_and_tokens_end_on_postgresql(pg_app):
    client = pg_app.test_client()
    token = _token(client, "scjg_01")
    other = _token(client, "scjg_01")
    login(client, "scjg_01")
    assert client.delete("/api/v1/tokens/current", headers=_bearer(token)).status_code == 204
    assert client.get("/api/v1/tasks", headers=_bearer(token)).status_code == 401
    assert client.get("/api/v1/tasks", headers=_bearer(other)).status_code == 200
    _logout(client)
    assert client.get("/api/v1/tasks", headers=_bearer(other)).status_code == 401
    assert client.get("/inbox/").status_code == 302
