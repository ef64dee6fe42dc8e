"""Refused forms (issue 21): the Chinese message in a summary that links to its field, beside the field (marked
aria-invalid and described by it), and what was typed still there; nothing stored."""
import io
import re

from sqlalchemy import func, select

from extensions import db
from models import DirectoryImport, Industry, ProcessDraft
from tests.conftest import csrf_token
from tests.e2e.journey import user_client


def _refused(response, field: str, error: str) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert 'class="error-summary"' in page and f'href="#f-{field}"' in page
    assert page.count(error) == 2  # in the summary and beside the field
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true" aria-describedby="e-{field}"', page)
    return page


def test_industry_form_keeps_the_typed_code_and_name(app):
    client = user_client(app, "admin")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Industry))
    response = client.post("/directory/industries", data={"csrf_token": csrf_token(client, "/directory/industries"),
                                                           "code": "6210", "name": "正餐服务（重复）"})
    page = _refused(response, "code", "行业代码 6210 已存在")
    assert 'name="code" value="6210"' in page and 'name="name" value="正餐服务（重复）"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Industry)) == before


def test_designer_import_names_the_refused_file(app):
    client = user_client(app, "designer")
    response = client.post("/designer/import", data={"csrf_token": csrf_token(client, "/designer/import"),
                                                     "file": (io.BytesIO(b"<html>a web page</html>"), "审批流程.bpmn")})
    page = _refused(response, "file", "不是 BPMN 文件（根元素应为 definitions）")
    assert "未导入的文件：审批流程.bpmn" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessDraft)) == 0


def test_directory_upload_keeps_the_kind_and_options(app):
    client = user_client(app, "admin")
    data = {"csrf_token": csrf_token(client, "/directory/import"), "kind": "experts", "dry_run": "on",
            "file": (io.BytesIO(b"%PDF-1.4 not a table"), "专家名单.pdf")}
    response = client.post("/directory/import", data=data, content_type="multipart/form-data")
    page = _refused(response, "file", "只支持 CSV 或 XLSX 文件，收到的是「专家名单.pdf」")
    assert re.search(r'<option value="experts"\s+selected>', page) and re.search(r'name="dry_run"\s+checked', page)
    assert "未导入的文件：专家名单.pdf" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DirectoryImport)) == 0

