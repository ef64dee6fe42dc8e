"""Industries with GB/T 4754 codes: validation, sections, and admin-only creation."""
import pytest
from sqlalchemy import select

from domain import industry_codes
from extensions import db
from models import Industry, User
from services.directory import catalogue
from services.errors import Forbidden, ValidationFailed
from tests.conftest import csrf_token
from tests.e2e.journey import user_client


@pytest.mark.parametrize("code,letter", [("6210", "H"), ("621", "H"), ("62", "H"), ("5265", "F"), ("8514", "Q"),
                                         ("0110", "A"), ("9800", "T")])
def test_sections(code, letter):
    assert industry_codes.section(code)[0] == letter and industry_codes.problem(code) is None


@pytest.mark.parametrize("code", ["H62", "62101", "6", "9910", "00"])
def test_invalid_codes(code):
    assert industry_codes.problem(code)


def test_only_admin_adds_industries(app):
    with app.app_context():
        admin, dept_admin = (db.session.scalar(select(User).where(User.username == n)) for n in ("admin", "scjg_admin"))
        with pytest.raises(Forbidden):
            catalogue.save_industry(dept_admin, {"code": "6220", "name": "非正餐服务"})
        with pytest.raises(ValidationFailed) as refused:
            catalogue.save_industry(admin, {"code": "6210", "name": "重复"})
        assert "已存在" in refused.value.errors["code"][0]
        assert catalogue.save_industry(admin, {"code": "6220", "name": "快餐服务"}).id
    client = user_client(app, "admin")
    token = csrf_token(client, "/directory/industries")
    assert client.post("/directory/industries", data={"csrf_token": token, "code": "X1", "name": "坏"}).status_code == 422
    assert client.post("/directory/industries", data={"csrf_token": token, "code": "5261", "name": "百货零售"}).status_code == 302
    page = client.get("/directory/industries").get_data(as_text=True)
    assert "百货零售" in page and "F 批发和零售业" in page
    official = user_client(app, "scjg_01")
    assert official.post("/directory/industries", data={"csrf_token": csrf_token(official, "/directory/industries"),
                                                        "code": "5262", "name": "超市"}).status_code == 403
    assert client.post("/directory/industries", data={"code": "5263", "name": "无令牌"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Industry.id).where(Industry.code == "5262")) is None
