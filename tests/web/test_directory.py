"""Directory pages: listings with filters and paging, detail, XLSX export, upload, and who may edit."""
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from extensions import db
from models import (Campaign, ChecklistRevision, Department, Enterprise, Inspection, ItemResult, OfficerConflict,
                    User)
from services.directory import listings as directory
from tests.conftest import csrf_token
from tests.e2e.journey import user_client


def test_enterprise_listing_filters_and_paging(app):
    client = user_client(app, "scjg_01")
    with app.app_context():
        home = db.session.scalar(select(User.region_id).where(User.username == "scjg_01"))
        # a 蕲春 official sees 蕲春's enterprises only (services/org/scope.py)
        total_d = db.session.scalar(select(func.count()).where(Enterprise.credit_class == "D",
                                                                Enterprise.region_id == home))
        sample = db.session.scalars(select(Enterprise).where(Enterprise.region_id == home)
                                    .order_by(Enterprise.id)).first()
        code, name = sample.uscc, sample.name
    page = client.get("/directory/enterprises?credit_class=D&per_page=10").get_data(as_text=True)
    assert f"共 {total_d} 条" in page and page.count("<tr><td>") <= 10
    assert name in client.get(f"/directory/enterprises?q={code[:12]}").get_data(as_text=True)
    assert name in client.get(f"/directory/enterprises?q={name[3:9]}").get_data(as_text=True)
    assert client.get("/directory/enterprises?credit_class=Q").status_code == 422
    assert client.get("/directory/enterprises").status_code == 200
    second = client.get("/directory/enterprises?page=2&per_page=5").get_data(as_text=True)
    assert "第 2 /" in second


def test_count_is_capped_for_broad_filters(app, monkeypatch):
    monkeypatch.setattr(directory, "COUNT_CAP", 50)
    with app.app_context():
        page = directory.search_enterprises(directory.enterprise_filters({}), page=1, per_page=20)
        assert (page.total, page.capped, len(page.items)) == (50, True, 20)


def test_export_repeats_the_filters(app):
    client = user_client(app, "scjg_01")
    with app.app_context():
        industry_id = db.session.scalar(select(Enterprise.industry_id).order_by(Enterprise.id))
        home = db.session.scalar(select(User.region_id).where(User.username == "scjg_01"))
        expected = db.session.scalar(select(func.count()).where(Enterprise.credit_class == "C",
                                                                Enterprise.industry_id == industry_id,
                                                                Enterprise.region_id == home))
    response = client.get(f"/directory/enterprises.xlsx?credit_class=C&industry_id={industry_id}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "统一社会信用代码" and len(rows) - 1 == expected
    assert {r[8] for r in rows[1:]} == {"C"}
    officials = load_workbook(io.BytesIO(client.get("/directory/officials.xlsx?department_id=1").data)).active
    assert officials.max_row > 1


def _inspected_enterprise(app) -> tuple[int, str]:
    """One submitted inspection with item results, as the joint inspection writes them."""
    with app.app_context():
        enterprise = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).first()
        revision = db.session.scalars(select(ChecklistRevision).where(
            ChecklistRevision.industry_id == enterprise.industry_id)).first()
        lead = db.session.scalar(select(Department).where(Department.code == "scjg"))
        actor = db.session.scalar(select(User).where(User.username == "scjg_01"))
        campaign = Campaign(code="T-1", title="测试检查活动", kind="plan", industry_id=enterprise.industry_id,
                            region_id=lead.region_id, lead_department=lead, checklist_revision=revision, ratios={},
                            created_by_id=actor.id, created_at=datetime(2026, 3, 1))
        inspection = Inspection(campaign=campaign, enterprise=enterprise, status="submitted", result_code="01",
                                inspected_on=date(2026, 3, 10))
        inspection.item_results = [ItemResult(checklist_item=item, result="fail" if n == 0 else "pass")
                                   for n, item in enumerate(revision.items[:3])]
        db.session.add_all([campaign, inspection])
        db.session.commit()
        return enterprise.id, revision.items[0].matter.name


def test_enterprise_detail_shows_history_and_last_inspected_per_matter(app):
    enterprise_id, matter_name = _inspected_enterprise(app)
    page = user_client(app, "supervisor").get(f"/directory/enterprises/{enterprise_id}").get_data(as_text=True)
    assert "测试检查活动" in page and "2026-03-10" in page and matter_name in page
    # A department outside the campaign sees the enterprise but not the campaign's result (participation rule).
    other = user_client(app, "wjw_01").get(f"/directory/enterprises/{enterprise_id}").get_data(as_text=True)
    assert "测试检查活动" not in other and matter_name in other
    with app.app_context():
        last = directory.last_inspected(enterprise_id)
        assert last and all(day == date(2026, 3, 10) for _m, day in last)


def test_officials_and_experts_pages(app):
    client = user_client(app, "xf_01")
    page = client.get("/directory/officials?specialty=消防&active=1").get_data(as_text=True)
    assert "<td>蕲春县消防救援大队</td>" in page and "<td>蕲春县市场监督管理局</td>" not in page
    assert client.get("/directory/experts").status_code == 200


def _official_id(app, username):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def test_department_admin_edits_only_own_people(app):
    mine, other = _official_id(app, "scjg_02"), _official_id(app, "xf_02")
    admin = user_client(app, "scjg_admin")
    token = csrf_token(admin, f"/directory/officials/{mine}")
    assert admin.post(f"/directory/officials/{mine}", data={"csrf_token": token, "cert_no": "X-1",
                                                            "specialties": "计量"}).status_code == 302
    assert admin.post(f"/directory/officials/{other}", data={"csrf_token": token, "cert_no": "X-2"}).status_code == 403
    with app.app_context():
        assert (db.session.get(User, mine).cert_no, db.session.get(User, mine).active) == ("X-1", False)
        assert db.session.get(User, other).cert_no != "X-2"


def _assert_kept(response, error: str, values: dict) -> None:
    """A refused form: 422, the Chinese message in the summary (linking to its field) and beside the field, which
    is marked invalid; every typed value still in its control."""
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'class="error-summary"' in page
    assert page.count(error) == 2 and 'href="#f-uscc"' in page
    assert re.search(r'<input id="f-uscc" name="uscc" value="[^"]*" aria-invalid="true" aria-describedby="e-uscc"', page)
    for name, value in values.items():
        assert f'name="{name}" value="{value}"' in page


def test_conflict_declaration(app):
    mine = _official_id(app, "scjg_02")
    with app.app_context():
        code = db.session.scalar(select(Enterprise.uscc).order_by(Enterprise.id))
    admin = user_client(app, "scjg_admin")
    token = csrf_token(admin, f"/directory/officials/{mine}")
    refused = admin.post(f"/directory/officials/{mine}/conflicts",
                         data={"csrf_token": token, "uscc": "91310115MA1K3CUM7M", "reason": "近亲属任负责人"})
    _assert_kept(refused, "名录库中没有该统一社会信用代码的经营主体", {"uscc": "91310115MA1K3CUM7M", "reason": "近亲属任负责人"})
    assert admin.post(f"/directory/officials/{mine}/conflicts",
                      data={"csrf_token": token, "uscc": code, "reason": "亲属"}).status_code == 302
    with app.app_context():
        enterprise_id = db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == code))
        assert db.session.scalar(select(func.count()).select_from(OfficerConflict).where(
            OfficerConflict.user_id == mine, OfficerConflict.enterprise_id == enterprise_id)) == 1
    assert "亲属" in admin.get(f"/directory/officials/{mine}").get_data(as_text=True)


def test_expert_conflicts_by_admin_only(app):
    with app.app_context():
        code = db.session.scalars(select(Enterprise.uscc).order_by(Enterprise.id.desc())).first()
    admin = user_client(app, "admin")
    page = admin.get("/directory/experts/1").get_data(as_text=True)
    assert "曾为该企业提供技术服务" in page
    token = csrf_token(admin, "/directory/experts/1")
    assert admin.post("/directory/experts/1/conflicts", data={"csrf_token": token, "uscc": code}).status_code == 302
    again = admin.post("/directory/experts/1/conflicts", data={"csrf_token": token, "uscc": code, "reason": "再次登记"})
    _assert_kept(again, "该利害关系已登记", {"uscc": code, "reason": "再次登记"})
    dept_admin = user_client(app, "scjg_admin")
    assert dept_admin.post("/directory/experts/1/conflicts", data={
        "csrf_token": csrf_token(dept_admin, "/directory/experts/1"), "uscc": code}).status_code == 403
    assert "登记利害关系" not in dept_admin.get("/directory/experts/1").get_data(as_text=True)


HEADER = "统一社会信用代码,名称,行业代码,区域代码,地址,登记状态,信用风险分类\n"


def _upload(client, content: bytes, name: str, kind="enterprises", **flags):
    token = csrf_token(client, "/directory/import")
    data = {"csrf_token": token, "kind": kind, "file": (io.BytesIO(content), name)}
    data.update({k: "on" for k, v in flags.items() if v})
    return client.post("/directory/import", data=data, content_type="multipart/form-data")


def test_upload_reports_bad_rows_and_applies_nothing(app):
    admin = user_client(app, "admin")
    body = (HEADER + "91310115MA1K3CUM7M,上传企业,6210,421126,,存续,A\n91310115MA1K3CUM7X,坏,6210,421126,,存续,A\n")
    response = _upload(admin, body.encode("gbk"), "qy.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "未导入任何数据" in page and "第18位校验码应为&#39;M&#39;" in page
    with app.app_context():
        assert db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == "91310115MA1K3CUM7M")) is None
    response = _upload(admin, body.encode("gbk"), "qy.csv", valid_only=True)
    assert response.status_code == 200 and "导入完成" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == "91310115MA1K3CUM7M"))


def test_upload_refuses_wrong_type_and_oversized_files(app):
    admin = user_client(app, "admin")
    response = _upload(admin, b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png")
    assert response.status_code == 422 and "只支持 CSV 或 XLSX" in response.get_data(as_text=True)
    response = _upload(admin, b"\x89PNG\r\n\x1a\n\x00\x00", "fake.csv")
    assert response.status_code == 422 and "不是文本格式" in response.get_data(as_text=True)
    app.config["IMPORT_MAX_BYTES"] = 1024 * 1024
    response = _upload(admin, HEADER.encode() + b"x" * (2 * 1024 * 1024), "big.csv")
    assert response.status_code == 413 and "文件过大" in response.get_data(as_text=True)


def test_upload_permissions(app):
    assert user_client(app, "scjg_01").get("/directory/import").status_code == 403
    dept_admin = user_client(app, "scjg_admin")
    response = _upload(dept_admin, HEADER.encode(), "e.csv")
    assert response.status_code == 403


# Every editing endpoint: forbidden to officials, refused without a CSRF token.
EDITS = [
    ("/directory/officials/{official}", {"cert_no": "Z-1"}),
    ("/directory/officials/{official}/conflicts", {"uscc": "91310115MA1K3CUM7M"}),
    ("/directory/import", {"kind": "enterprises"}),
    ("/directory/matters/new", {"code": "t-01"}),
    ("/directory/matters/1", {"code": "t-01"}),
    ("/directory/industries/1/checklist/edit", {"count": "0"}),
    ("/directory/industries", {"code": "5262", "name": "超市"}),
    ("/directory/experts/1/conflicts", {"uscc": "91310115MA1K3CUM7M"}),
]


@pytest.mark.parametrize("path,data", EDITS)
def test_editing_endpoints_forbidden_to_officials(app, path, data):
    path = path.format(official=_official_id(app, "scjg_02"))
    official = user_client(app, "scjg_01")
    token = csrf_token(official, "/directory/enterprises")
    assert official.post(path, data={"csrf_token": token, **data}).status_code == 403


@pytest.mark.parametrize("path,data", EDITS)
def test_editing_endpoints_enforce_csrf(app, path, data):
    path = path.format(official=_official_id(app, "scjg_02"))
    admin = user_client(app, "admin")
    response = admin.post(path, data=data)
    assert response.status_code == 400 and "请求已失效" in response.get_data(as_text=True)
