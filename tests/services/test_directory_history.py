"""The directory keeps history: a re-import that renames an enterprise does not rewrite what closed campaigns
published or drew, and the audit records which enterprise changed from what to what, from which file."""
import pytest
from sqlalchemy import select

from demo.simulate import simulate
from extensions import db
from models import AuditRecord, DirectoryImport, Draw, Enterprise, EnterpriseVersion, Inspection, User
from services.directory import history
from services.imports import batch as imports
from tests.conftest import login
from tests.e2e.journey import user_client

HEADER = "统一社会信用代码,名称,行业代码,区域代码,地址,登记状态,信用风险分类"


def _published_enterprise(app):
    with app.app_context():
        campaign = simulate(3, say=lambda _text: None)
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign.id,
                                                                 Inspection.published_at.is_not(None))).first()
        e = inspection.enterprise
        draw_id = db.session.scalar(select(Draw.id).where(Draw.campaign_id == campaign.id, Draw.status == "drawn"))
        return {"id": e.id, "uscc": e.uscc, "name": e.name, "industry": e.industry.code, "region": e.region.code,
                "address": e.address or "", "status": e.status, "class": e.credit_class,
                "campaign_id": campaign.id, "draw_id": draw_id}


def _reimport(app, tmp_path, e, name, address=None, status=None):
    path = tmp_path / "rename.csv"
    path.write_text(f"{HEADER}\n{e['uscc']},{name},{e['industry']},{e['region']},{address or e['address']},"
                    f"{status or e['status']},{e['class']}\n", encoding="utf-8")
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        report = imports.run_import(admin, "enterprises", path, filename="更名.csv")
        assert report.applied and report.updated == 1, report
        return report.import_id


def test_reimport_with_a_new_name_keeps_the_published_name(app, tmp_path):
    e = _published_enterprise(app)
    new_name = e["name"] + "（更名后）有限公司"
    import_id = _reimport(app, tmp_path, e, new_name, address="新地址 1 号")

    public = app.test_client().get(f"/public/?q={e['uscc']}").get_data(as_text=True)
    assert f"<td data-label=\"经营主体名称\">{e['name']}<br>" in public  # the published name first …
    assert f"现名：{new_name}" in public                                     # … today's beside it
    assert app.test_client().get(f"/public/?q={e['name']}").get_data(as_text=True).count(e["uscc"]) >= 1

    # the public draw page names nobody (docs/disclosure.md); the full view shows the name as drawn
    draw_page = user_client(app, "supervisor").get(f"/draws/{e['draw_id']}/full").get_data(as_text=True)
    assert f"<td>{e['name']}<br>" in draw_page and f"现名：{new_name}" in draw_page
    supervisor = user_client(app, "supervisor")
    directory_page = supervisor.get(f"/directory/enterprises/{e['id']}").get_data(as_text=True)
    assert "名称、地址和登记状态的变更" in directory_page and "首次变更之前" in directory_page
    assert "导入 更名.csv" in directory_page and new_name in directory_page and "新地址 1 号" in directory_page
    english = app.test_client()
    english.set_cookie("lang", "en")
    login(english, "supervisor")
    from tests.web.test_i18n import assert_english, stored_strings
    assert_english(english.get(f"/directory/enterprises/{e['id']}"), stored_strings(app) + ["更名.csv"])
    csv_text = supervisor.get(f"/publication/{e['campaign_id']}/export.csv").get_data(as_text=True)
    assert f",{e['name']}," in csv_text and new_name not in csv_text

    with app.app_context():
        assert db.session.get(Enterprise, e["id"]).name == new_name  # the directory itself is current
        entry = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "directory.import_enterprises")
                                   .order_by(AuditRecord.id.desc())).first()
        assert (entry.object_type, entry.object_id) == ("directory_import", import_id)
        assert entry.detail["changes_total"] == 1
        [change] = entry.detail["changes"]
        assert change["enterprise_id"] == e["id"] and change["uscc"] == e["uscc"]
        assert change["name"] == [e["name"], new_name] and change["address"][1] == "新地址 1 号"
        assert "status" not in change
        versions = history.versions_of(e["id"])
        assert [v.name for v in versions] == [e["name"], new_name]
        assert versions[0].valid_from == history.BASELINE and versions[0].import_id is None
        assert versions[1].import_id == import_id and versions[1].changed_by_id is not None
        assert db.session.get(DirectoryImport, import_id).filename == "更名.csv"


def test_a_second_rename_and_an_unchanged_reimport(app, tmp_path):
    e = _published_enterprise(app)
    _reimport(app, tmp_path, e, "第一次更名有限公司")
    _reimport(app, tmp_path, e, "第二次更名有限公司", status="注销")
    with app.app_context():
        versions = history.versions_of(e["id"])
        assert [(v.name, v.status) for v in versions] == [(e["name"], e["status"]), ("第一次更名有限公司", e["status"]),
                                                          ("第二次更名有限公司", "注销")]
        admin = db.session.scalar(select(User).where(User.username == "admin"))
    path = tmp_path / "same.csv"
    path.write_text(f"{HEADER}\n{e['uscc']},第二次更名有限公司,{e['industry']},{e['region']},{e['address']},注销,"
                    f"{e['class']}\n", encoding="utf-8")
    with app.app_context():
        report = imports.run_import(db.session.merge(admin), "enterprises", path)
        assert report.unchanged == 1 and report.changes_total == 0
        assert len(db.session.scalars(select(EnterpriseVersion).where(EnterpriseVersion.enterprise_id == e["id"])).all()) == 3
    public = app.test_client().get(f"/public/?q={e['uscc']}").get_data(as_text=True)
    assert e["name"] in public and "现名：第二次更名有限公司" in public


def test_dry_run_writes_no_history(app, tmp_path):
    e = _published_enterprise(app)
    path = tmp_path / "dry.csv"
    path.write_text(f"{HEADER}\n{e['uscc']},试运行名称,{e['industry']},{e['region']},{e['address']},{e['status']},"
                    f"{e['class']}\n", encoding="utf-8")
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        report = imports.run_import(admin, "enterprises", path, dry_run=True)
        assert report.updated == 1 and not report.applied
        assert history.versions_of(e["id"]) == []
        assert db.session.scalar(select(DirectoryImport.id)) is None


def test_history_on_postgresql(pg_app, tmp_path):
    with pg_app.app_context():
        e = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).first()
        row = {"id": e.id, "uscc": e.uscc, "name": e.name, "industry": e.industry.code, "region": e.region.code,
               "address": e.address or "", "status": e.status, "class": e.credit_class}
        before = db.session.scalar(select(db.func.max(AuditRecord.id))) or 0
    import_id = _reimport(pg_app, tmp_path, row, "改名后的名称有限公司")
    with pg_app.app_context():
        assert [v.name for v in history.versions_of(row["id"])] == [row["name"], "改名后的名称有限公司"]
        later = db.session.get(EnterpriseVersion, history.versions_of(row["id"])[1].id).valid_from
        assert history.names_as_of([(row["id"], later), (row["id"], history.BASELINE)]) == {
            (row["id"], later): "改名后的名称有限公司", (row["id"], history.BASELINE): row["name"]}
        entry = db.session.scalars(select(AuditRecord).where(AuditRecord.id > before,
                                                             AuditRecord.object_type == "directory_import")).one()
        assert entry.object_id == import_id and entry.detail["changes"][0]["name"] == [row["name"], "改名后的名称有限公司"]


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_public_search_with_control_characters(database, request):
    app = request.getfixturevalue("app" if database == "sqlite" else "pg_app")
    response = app.test_client().get("/public/?q=%E6%9C%89%00%01")
    assert response.status_code == 200
