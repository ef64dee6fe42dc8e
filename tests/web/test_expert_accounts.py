"""An admin opens an expert's 会诊 login on the expert's page: a refused password is explained beside the field,
nothing is stored; then the expert logs in (what they see: tests/e2e/test_diagnosis_opinions.py)."""
from sqlalchemy import select

from extensions import db
from models import Expert
from tests.conftest import csrf_token, login
from tests.e2e.journey import user_client


def test_admin_opens_an_expert_login(app):
    with app.app_context():
        expert_id = db.session.scalars(select(Expert.id).where(Expert.field == "公共卫生")).first()
    admin = user_client(app, "admin")
    page = f"/directory/experts/{expert_id}/edit"
    assert "会诊登录账号" in admin.get(page).get_data(as_text=True)
    refused = admin.post(f"/directory/experts/{expert_id}/account",
                         data={"csrf_token": csrf_token(admin, page), "username": "zj_xia", "password": "123"})
    assert refused.status_code == 422 and "初始密码" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Expert, expert_id).user_id is None
    opened = admin.post(f"/directory/experts/{expert_id}/account",
                        data={"csrf_token": csrf_token(admin, page), "username": "zj_xia", "password": "Huizhen-2026!xm"})
    assert opened.status_code == 302
    with app.app_context():
        expert = db.session.get(Expert, expert_id)
        assert expert.user_id is not None
    client = app.test_client()
    login(client, "zj_xia", "Huizhen-2026!xm")
    assert client.get("/inbox/").status_code == 200
