"""XLSX imports refuse zip bombs (by the sizes the central directory declares, before parsing) and XML parts
with a DTD, with a clear message and nothing stored — through the service and the upload page."""
import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from extensions import db
from models import Enterprise, User
from services.imports import batch as imports
from services.imports.files import ImportRefused
from tests.conftest import csrf_token, login

MB = 1024 * 1024
HEADER = ["统一社会信用代码", "名称", "行业代码", "区域代码", "地址", "登记状态", "信用风险分类"]


def _workbook_parts() -> dict[str, bytes]:
    book = Workbook()
    book.active.append(HEADER)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _bomb(path, inflated_bytes: int):
    """A real workbook whose first sheet is padded with whitespace after its root element (still valid XML):
    a few kilobytes on disk, `inflated_bytes` once decompressed. Written in chunks, so the test stays small."""
    parts = _workbook_parts()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(content)
                chunk = b" " * MB
                for _ in range(inflated_bytes // MB):
                    member.write(chunk)
    return path


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Enterprise))


def _admin() -> User:
    return db.session.scalar(select(User).where(User.username == "admin"))


def test_zip_bomb_is_refused_before_parsing(app, tmp_path):
    app.config["IMPORT_MAX_BYTES"] = 1 * MB  # cap: 1 MB × IMPORT_XLSX_EXPANSION (10) = 10 MB inflated
    path = _bomb(tmp_path / "bomb.xlsx", 24 * MB)
    assert path.stat().st_size < 200 * 1024  # a bomb: tiny on disk
    with app.app_context():
        before = _count()
        with pytest.raises(ImportRefused, match="解压后为 24 MB，超过上限 10 MB"):
            imports.run_import(_admin(), "enterprises", path)
        assert _count() == before


def test_workbook_within_the_inflation_cap_imports(app, tmp_path):
    app.config["IMPORT_MAX_BYTES"] = 1 * MB
    path = _bomb(tmp_path / "padded.xlsx", 4 * MB)  # same shape, under the cap: a header-only workbook
    with app.app_context():
        report = imports.run_import(_admin(), "enterprises", path)
        assert report.file_kind == "xlsx" and report.rows == 0 and not report.errors


def test_xml_part_with_a_dtd_is_refused(app, tmp_path):
    parts = _workbook_parts()
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</sst>')
    path = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        archive.writestr("xl/sharedStrings.xml", laughs)
    with app.app_context(), pytest.raises(ImportRefused, match="sharedStrings.xml 含有不允许的 DTD"):
        imports.run_import(_admin(), "enterprises", path)


def test_upload_page_shows_the_refusal(app, tmp_path):
    app.config["IMPORT_MAX_BYTES"] = 1 * MB
    path = _bomb(tmp_path / "bomb.xlsx", 16 * MB)
    client = app.test_client()
    login(client, "admin")
    token = csrf_token(client, "/directory/import")
    response = client.post("/directory/import", data={"csrf_token": token, "kind": "enterprises",
                                                      "file": (io.BytesIO(path.read_bytes()), "名录.xlsx")})
    assert response.status_code == 422
    assert "可能是压缩炸弹" in response.get_data(as_text=True)
