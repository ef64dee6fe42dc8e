"""Error pages (403/404/409/413/422/429/500) speak the UI's language and offer a way back."""
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import AuditRecord
from tests.conftest import csrf_token, login
from tests.e2e.journey import open_tasks, plan_and_approve, scope, user_client
from tests.web.page_checks import problems, visible_text


def _zh_page(response, status: int, *expected: str) -> str:
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert not problems(html, zh=True), problems(html, zh=True)
    text = visible_text(html)
    assert "返回首页" in text and all(e in text for e in expected), text
    return text


def test_404_403_409_in_chinese_with_a_way_back(app):
    client = user_client(app, "scjg_01")
    text = _zh_page(client.get("/no-such-page", headers={"Referer": "http://localhost/inbox/"}), 404,
                    "页面不存在", "您要找的页面不存在")
    assert "返回上一页" in text
    assert "Not Found" not in text and "The requested URL" not in text
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    [task] = open_tasks(app, campaign_id, "initiation")
    _zh_page(user_client(app, "xf_01").get(f"/inbox/tasks/{task['id']}"), 403, "无权")
    fields = [("partner_department_ids", str(p)) for p in s["partners"]] + [("matter_ids", str(m)) for m in s["matters"]]
    token = csrf_token(client, f"/inbox/tasks/{task['id']}")
    assert client.post(f"/inbox/tasks/{task['id']}", data=MultiDict([("csrf_token", token), *fields])).status_code == 302
    _zh_page(client.post(f"/inbox/tasks/{task['id']}", data=MultiDict([("csrf_token", token), *fields])), 409, "已办理")
    assert client.post("/inbox/", data={}).status_code == 405


def test_405_and_429_and_500_pages(app):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("secret internals {'x': 1}")

    client = user_client(app, "scjg_01")
    _zh_page(client.post("/inbox/", data={"csrf_token": csrf_token(client, "/inbox/")}), 405, "不支持")
    text = _zh_page(client.get("/_boom"), 500, "服务器内部错误", "意外错误")
    assert "secret internals" not in text and "RuntimeError" not in text
    anonymous = app.test_client()
    for _ in range(5):
        anonymous.post("/auth/login", data={"username": "xf_02", "password": "bad",
                                            "csrf_token": csrf_token(anonymous, "/auth/login")})
    limited = anonymous.post("/auth/login", data={"username": "xf_02", "password": "bad",
                                                  "csrf_token": csrf_token(anonymous, "/auth/login")})
    assert limited.status_code == 429
    assert not problems(limited.get_data(as_text=True), zh=True)


def test_error_pages_in_english(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    login(client, "scjg_01")
    html = client.get("/no-such-page").get_data(as_text=True)
    text = visible_text(html)
    assert "Page not found" in text or "not found" in text.lower()
    assert "您要找的页面不存在" not in text and "返回首页" not in text


def test_422_page_changes_nothing(app):
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    client = user_client(app, "scjg_01")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditRecord))
    response = client.post("/campaigns/special", data={"csrf_token": csrf_token(client, "/campaigns/special"),
                                                        "industry_id": "", "reason": ""})
    assert response.status_code == 422
    assert not problems(response.get_data(as_text=True), zh=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditRecord)) == before
