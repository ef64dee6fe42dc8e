"""The organisation pages in English: no Chinese chrome (stored names and the file format's sheet names aside)."""
from sqlalchemy import select

from extensions import db
from models import User
from tests.web.test_i18n import assert_english, english_client, stored_strings


def test_org_pages_in_english(app):
    admin = english_client(app, "admin")
    data = stored_strings(app) + ["区划", "部门", "人员", "代码", "名称", "上级代码", "部门编码", "区划代码", "部门类型",
                                  "账号", "姓名", "执法证号", "执法证有效期至", "角色", "在岗",
                                  "上级", "编码", "类型"]
    with app.app_context():
        official = db.session.scalar(select(User.id).where(User.username == "scjg_01"))
    for path in ("/org/", "/org/accounts/new", f"/org/accounts/{official}", "/org/import", "/org/delegations"):
        assert_english(admin.get(path), data)
    page = admin.get("/org/").get_data(as_text=True)
    assert "Add a region" in page and "Market regulation" in page and "County/district" in page
