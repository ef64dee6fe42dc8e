"""The themed-action (专项/板块) request page: bad input shows Chinese errors and stores nothing; a good request
opens a campaign whose page shows the action's code, industries, area and window."""
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import Industry, ThemedAction
from services.workflow import clock
from tests.conftest import csrf_token, login


def test_request_page_errors_then_success(app):
    client = app.test_client()
    login(client, "scjg_01")
    assert "发起专项（板块）行动" in client.get("/inbox/").get_data(as_text=True)
    token = csrf_token(client, "/campaigns/themed")
    bad = client.post("/campaigns/themed", data={"csrf_token": token, "name": "", "starts_on": "2026-13-01"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "请填写行动名称" in html and "请至少选择一个行业" in html and "请填写有效的开始和结束日期" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ThemedAction)) == 0
        industries = db.session.scalars(select(Industry.id).where(Industry.code.in_(("6210", "5265")))).all()
    today = clock.today()
    fields = [("csrf_token", token), ("name", "加油站安全专项行动"), ("code", "ZX-JYZ-01"),
              ("address_patterns", "蕲州镇\n赤东镇"), ("starts_on", today.isoformat()),
              ("ends_on", (today + timedelta(days=10)).isoformat()), ("public", "1"), ("reason", "节前安全检查")]
    fields += [("industry_ids", str(i)) for i in industries]
    good = client.post("/campaigns/themed", data=MultiDict(fields))
    assert good.status_code == 302, good.get_data(as_text=True)[:2000]
    page = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "加油站安全专项行动" in page and "ZX-JYZ-01" in page and "蕲州镇、赤东镇" in page
    assert "专项行动" in page and str(today + timedelta(days=10)) in page


def test_named_area_page(app):
    client = app.test_client()
    login(client, "scjg_01")
    token = csrf_token(client, "/campaigns/areas")
    bad = client.post("/campaigns/areas", data={"csrf_token": token, "name": "", "address_patterns": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "请填写区域名称" in html and "二者选一" in html
    good = client.post("/campaigns/areas", data={"csrf_token": token, "name": "东长街历史街区", "address_patterns": "东长街"})
    assert good.status_code == 302
    listing = client.get("/campaigns/areas").get_data(as_text=True)
    assert "东长街历史街区" in listing and "地址含：东长街" in listing
    assert "东长街历史街区" in client.get("/campaigns/themed").get_data(as_text=True)
