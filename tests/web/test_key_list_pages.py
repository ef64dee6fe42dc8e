"""Key-object list pages: an official maintains the department's list; others in the region only read it."""
import io

import openpyxl
from sqlalchemy import select

from extensions import db
from models import Enterprise, KeyList
from tests.conftest import csrf_token, login
from tests.factories import initiate, plan_and_approve, scope


def _official(client):
    login(client, "scjg_01")
    token = csrf_token(client, "/key-lists/")
    response = client.post("/key-lists/", data={"csrf_token": token, "name": "商超重点对象", "description": "节前检查"})
    assert response.status_code == 302
    return token, response.headers["Location"]


def _codes(app, n: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Enterprise.uscc).where(Enterprise.status == "存续")
                                       .order_by(Enterprise.id).limit(n)))


def test_an_official_adds_and_removes_a_member_and_sees_the_history(app, client):
    token, location = _official(client)
    [code] = _codes(app, 1)
    response = client.post(location + "/members", data={"csrf_token": token, "uscc": code, "reason": "节前重点"})
    assert response.status_code == 302
    page = client.get(location).get_data(as_text=True)
    assert "在册对象（1 户）" in page and "节前重点" in page
    with app.app_context():
        entry_id = db.session.scalars(select(KeyList)).one().entries[0].id
    response = client.post(f"{location}/members/{entry_id}/remove", data={"csrf_token": token, "removed_reason": "已关停"})
    assert response.status_code == 302
    page = client.get(location).get_data(as_text=True)
    assert "在册对象（0 户）" in page and "已关停" in page and "节前重点" in page  # history kept


def test_a_bad_code_is_refused_beside_its_field(app, client):
    token, location = _official(client)
    response = client.post(location + "/members", data={"csrf_token": token, "uscc": "91310115MA1K3CUM7A",
                                                         "reason": "测试"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第18位校验码应为" in page and 'aria-invalid="true"' in page and "提交未成功" in page


def test_an_uploaded_workbook_with_a_bad_code_stores_nothing(app, client):
    token, location = _official(client)
    good = _codes(app, 1)[0]
    book = openpyxl.Workbook()
    book.active.append(["统一社会信用代码", "列入理由"])
    book.active.append([good, "重点"])
    book.active.append(["12345", "错误"])
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    response = client.post(location + "/import", data={"csrf_token": token, "file": (content, "名单.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "存在错误，未导入任何数据" in page and "「12345」无效" in page
    assert "在册对象（0 户）" in page


def test_the_supervisor_reads_the_list_without_forms_and_the_lead_attaches_a_campaign(app, client):
    s = scope(app, 4)
    campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    token, location = _official(client)
    response = client.post(location + "/campaigns", data={"csrf_token": token, "campaign_id": campaign_id,
                                                          "ratio": "abc"})
    assert response.status_code == 422 and "提高后的抽查比例应大于 0%，不超过 100%" in response.get_data(as_text=True)
    response = client.post(location + "/campaigns", data={"csrf_token": token, "campaign_id": campaign_id, "ratio": "50"})
    assert response.status_code == 302
    assert "名录对象按不低于 50% 抽取" in client.get(location).get_data(as_text=True)
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    page = supervisor.get(location).get_data(as_text=True)
    assert "商超重点对象" in page and "列入对象" not in page and "从 XLSX 导入" not in page
    assert "商超重点对象" in supervisor.get("/key-lists/").get_data(as_text=True)


def test_the_pages_speak_english_when_asked(app, client):
    _, location = _official(client)
    page = client.get(location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Current members (0)" in page and "Import from XLSX" in page and "History" in page
    assert "在册对象" not in page and "变更历史" not in page
