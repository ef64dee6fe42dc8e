"""Complaint pages: register with a file, triage into a targeted inspection, reply; errors in Chinese."""
import io

from sqlalchemy import select

from extensions import db
from models import Complaint, Enterprise, User
from services.complaints import triage
from tests.conftest import csrf_token, login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _uscc(app) -> str:
    with app.app_context():
        return db.session.scalars(select(Enterprise.uscc).where(Enterprise.status == "存续").order_by(Enterprise.id)).first()


def _department(app) -> int:
    with app.app_context():
        return db.session.scalars(select(User.department_id).where(User.username == "scjg_01")).one()


def test_register_triage_and_reply_through_the_pages(app, client):
    login(client, "scjg_01")
    token = csrf_token(client, "/complaints/new")
    response = client.post("/complaints/new", data={
        "csrf_token": token, "source": "hotline", "uscc": _uscc(app), "department_id": _department(app), "content": "反映销售过期食品",
        "evidence": (io.BytesIO(PNG), "现场照片.png")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    location = response.headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "待分办" in page and "现场照片.png" in page and "提交分办" in page
    with app.app_context():
        complaint = db.session.scalars(select(Complaint)).one()
        assert complaint.matters == []  # none chosen: a targeted inspection covers the department's matters
        officers = [str(u.id) for u in triage.officers_of(complaint.department_id)][:2]
    response = client.post(location + "/triage", data={"csrf_token": token, "decision": "targeted", "reason": "线索具体",
                                                       "officer_ids": officers[:1]})
    assert response.status_code == 422 and "定向检查须指派本部门至少两名执法人员" in response.get_data(as_text=True)
    response = client.post(location + "/triage", data={"csrf_token": token, "decision": "targeted", "reason": "线索具体",
                                                       "officer_ids": officers})
    assert response.status_code == 302
    page = client.get(location).get_data(as_text=True)
    assert "非随机抽取" in page and "答复投诉举报人" in page
    assert client.post(location + "/reply", data={"csrf_token": token, "reply": "已安排检查"}).status_code == 302
    listing = client.get("/complaints/").get_data(as_text=True)
    assert complaint.code in listing and "定向检查" in listing


def test_a_bad_code_and_missing_content_are_shown_beside_their_fields(app, client):
    login(client, "scjg_01")
    token = csrf_token(client, "/complaints/new")
    response = client.post("/complaints/new", data={"csrf_token": token, "source": "web", "uscc": "91310115MA1K3CUM7A",
                                                    "content": "", "department_id": "x", "matter_ids": ["y"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "第18位校验码应为" in page and "请填写投诉举报内容" in page
    assert "请选择您管辖区域内的承办部门" in page and "监管事项不存在" in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Complaint)) == 0


def test_the_list_speaks_english_when_asked(app, client):
    login(client, "scjg_01")
    page = client.get("/complaints/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Register a complaint" in page and "12315 hotline" in page and "登记投诉举报" not in page
