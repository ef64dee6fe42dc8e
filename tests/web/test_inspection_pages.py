"""Inspection form over HTTP (draft button, uploads refused with a message), calendar admin, public page."""
import io
import re
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import CalendarOverride, Evidence, InspectionDraft
from services.workflow import calendar
from tests.conftest import csrf_token, login
from tests.e2e.journey import inspection_fields, open_tasks, user_client
from tests.factories import initiate, plan_and_approve, report_in, scope


def test_draft_button_upload_and_refused_upload(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    app.config["EVIDENCE_MAX_BYTES"] = 2048
    s = scope(app, 1)
    campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)
    [task] = open_tasks(app, campaign_id, "joint_inspection")
    client = user_client(app, task["candidates"][0])
    fields = inspection_fields(app, campaign_id, False)
    item = next(int(k.split(".")[1]) for k, _ in fields if k.startswith("items."))
    url = f"/inbox/tasks/{task['id']}"

    # 保存草稿 without JavaScript, with one photo: kept, and shown again on reopening.
    data = MultiDict([("csrf_token", csrf_token(client, url)), ("action", "draft"), ("summary", "信号不好先存草稿")])
    data.add(f"evidence.{item}", (io.BytesIO(b"\xff\xd8\xff\xe0" + b"\x00" * 100), "IMG_0001.jpg"))
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert "信号不好先存草稿" in page and "IMG_0001.jpg" in page and "草稿保存于" in page

    # A disguised file and an oversized one: refused with a clear message, nothing stored, task still open.
    for name, content, message in (("scan.pdf", b"#!/bin/sh\nrm -rf /", "不是允许的类型"),
                                   ("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 4096, "大小限制")):
        data = MultiDict([("csrf_token", csrf_token(client, url)), ("action", "sign"), *fields])
        data.add(f"evidence.{item}", (io.BytesIO(content), name))
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Evidence.original_name)).all() == ["IMG_0001.jpg"]
        assert db.session.scalar(select(InspectionDraft.data)) is not None
    assert open_tasks(app, campaign_id, "joint_inspection")[0]["id"] == task["id"]

    # Signing clears the draft; the same officer then has nothing to sign.
    data = MultiDict([("csrf_token", csrf_token(client, url)), ("action", "sign"), *fields])
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(InspectionDraft.id)) is None
    [countersign] = open_tasks(app, campaign_id, "joint_inspection")
    assert task["candidates"][0] not in countersign["candidates"]  # the countersignature is someone else's
    assert client.get(f"/inbox/tasks/{countersign['id']}").status_code == 403
    second = user_client(app, task["candidates"][1]).get(f"/inbox/tasks/{countersign['id']}").get_data(as_text=True)
    assert "复核并签字" in second and re.search(r'value="01" checked', second)  # the first officer's values
    phone_css = client.get("/static/app.css").get_data(as_text=True)
    assert ".inspection-form" in phone_css and "min-height: 48px" in phone_css


def test_calendar_admin_page_feeds_deadlines(app):
    official = app.test_client()
    login(official, "scjg_01")
    assert official.get("/admin/calendar/").status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get("/admin/calendar/?year=2031").get_data(as_text=True)
    assert "未收录" in page
    with app.app_context():
        assert calendar.deadline(date(2030, 12, 31), 1).provisional
    token = csrf_token(admin, "/admin/calendar/?year=2031")
    assert admin.post("/admin/calendar/overrides", data={"csrf_token": token, "day": "2031-01-01", "working": "0",
                                                         "note": "元旦"}).status_code == 302
    assert admin.post("/admin/calendar/overrides", data={"csrf_token": token, "day": "not-a-date"}).status_code == 422
    assert admin.post("/admin/calendar/years/2031", data={"csrf_token": token, "confirmed": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(CalendarOverride, date(2031, 1, 1)).note == "元旦"
        # Jan 1 2031 (Wed) is the entered holiday; 2031 is confirmed, so Jan 2 is a known working day.
        assert calendar.deadline(date(2031, 6, 2), 5).provisional is False
        deadline = calendar.deadline(date(2030, 12, 31), 1)
        assert deadline.due == date(2031, 1, 2)
    page = admin.get("/admin/calendar/?year=2031").get_data(as_text=True)
    assert "已确认" in page and "元旦" in page


def test_public_page_needs_no_login_and_filters(client):
    page = client.get("/public/?q=x&campaign=y&department=1&region=421126")
    assert page.status_code == 200 and "暂无公示结果" in page.get_data(as_text=True)
    assert client.get("/public/340825/").status_code == 200
    assert re.search(r"太湖县", client.get("/public/340825/").get_data(as_text=True))
