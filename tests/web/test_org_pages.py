"""Organisation pages (/org): what an admin and an official see and do, and every refusal."""
import io
from datetime import timedelta

from openpyxl import Workbook
from sqlalchemy import func, select

from extensions import db
from models import Delegation, Department, Region, User
from services.workflow import clock
from tests.conftest import csrf_token, login
from tests.e2e.journey import user_client


def _post(client, path, data, page="/org/"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_admin_sees_its_subtree_and_adds_a_township_and_a_department(app):
    admin = user_client(app, "admin")
    page = admin.get("/org/").get_data(as_text=True)
    # 蕲春's admin: 蕲春 and below (its city shows only as 蕲春's parent, not as a row)
    assert "<td>421126</td>" in page and "太湖县" not in page and "<td>421100</td>" not in page
    done = _post(admin, "/org/regions", {"code": "421126100", "name": "漕河镇", "parent_code": "421126"})
    assert done.status_code == 302
    assert "已新增区划 漕河镇（421126100）" in admin.get("/org/").get_data(as_text=True)
    town = _count(app, Region, Region.code == "421126100")
    assert town == 1
    with app.app_context():
        town_id = db.session.scalar(select(Region.id).where(Region.code == "421126100"))
    made = _post(admin, "/org/departments", {"code": "ch_zhzf", "name": "漕河镇综合执法队", "region_id": town_id,
                                             "type": "comprehensive_enforcement"})
    assert made.status_code == 302
    with app.app_context():
        dept = db.session.scalars(select(Department).where(Department.code == "ch_zhzf")).one()
        assert dept.type == "comprehensive_enforcement" and dept.region.parent.code == "421126"


def test_bad_region_and_department_input_is_refused_and_nothing_changes(app):
    admin = user_client(app, "admin")
    regions = _count(app, Region)
    bad = _post(admin, "/org/regions", {"code": "42112", "name": "错码镇", "parent_code": "421126"})
    assert bad.status_code == 422 and "行政区划代码应为 6 位" in bad.get_data(as_text=True)
    wrong_parent = _post(admin, "/org/regions", {"code": "340825100", "name": "外县镇", "parent_code": "421126"})
    assert wrong_parent.status_code == 422 and "前 6 位应与上级区划代码" in wrong_parent.get_data(as_text=True)
    outside = _post(admin, "/org/regions", {"code": "340825100", "name": "晋熙镇", "parent_code": "340825"})
    assert outside.status_code == 403
    assert _count(app, Region) == regions
    departments = _count(app, Department)
    with app.app_context():
        home = db.session.scalar(select(Region.id).where(Region.code == "421126"))
    unknown = _post(admin, "/org/departments", {"code": "x1", "name": "某局", "region_id": home, "type": "宣传"})
    assert unknown.status_code == 422 and "未知的部门类型" in unknown.get_data(as_text=True)
    duplicate = _post(admin, "/org/departments", {"code": "scjg", "name": "某局", "region_id": home,
                                                  "type": "market_regulation"})
    assert duplicate.status_code == 422 and "部门编码 scjg 已存在" in duplicate.get_data(as_text=True)
    assert _count(app, Department) == departments
    assert user_client(app, "supervisor").get("/org/").status_code == 403


def test_admin_creates_a_supervisor_who_logs_in(app):
    admin = user_client(app, "admin")
    form = {"username": "qc_office2", "display_name": "联席会办公室二", "password": "Lianxi2026a",
            "roles": "supervisor", "region_code": "421126"}
    weak = _post(admin, "/org/accounts/new", {**form, "password": "123"}, "/org/accounts/new")
    assert weak.status_code == 422 and "密码至少 8 位" in weak.get_data(as_text=True)
    assert _count(app, User, User.username == "qc_office2") == 0
    far = _post(admin, "/org/accounts/new", {**form, "region_code": "340825"}, "/org/accounts/new")
    assert far.status_code == 422 and "只能在您管辖的区划内创建账号" in far.get_data(as_text=True)
    made = _post(admin, "/org/accounts/new", form, "/org/accounts/new")
    assert made.status_code == 302
    client = app.test_client()
    login(client, "qc_office2", "Lianxi2026a")
    assert client.get("/dashboard/").status_code == 200


def test_password_reset_forces_a_change_at_next_login(app):
    admin = user_client(app, "admin")
    with app.app_context():
        target = db.session.scalar(select(User.id).where(User.username == "scjg_05"))
    reset = _post(admin, f"/org/accounts/{target}/password", {"password": "Chongzhi2026b"}, f"/org/accounts/{target}")
    assert reset.status_code == 302
    client = app.test_client()
    login(client, "scjg_05", "Chongzhi2026b")
    gate = client.get("/inbox/")
    assert gate.status_code == 302 and gate.headers["Location"].endswith("/auth/password")
    changed = client.post("/auth/password", data={"csrf_token": csrf_token(client, "/auth/password"),
                                                  "current": "Chongzhi2026b", "new": "Wodemima2026c",
                                                  "confirm": "Wodemima2026c"})
    assert changed.status_code == 302 and client.get("/inbox/").status_code == 200


def test_disable_page_and_certificate(app):
    admin = user_client(app, "admin")
    with app.app_context():
        target = db.session.scalar(select(User.id).where(User.username == "wjw_06"))
    cert = _post(admin, f"/org/accounts/{target}/certificate",
                 {"cert_no": "4211262026X", "cert_valid_until": "2026-13-01"}, f"/org/accounts/{target}")
    assert cert.status_code == 422 and "日期格式应为 YYYY-MM-DD" in cert.get_data(as_text=True)
    wrong = _post(admin, f"/org/accounts/{target}/disable", {"reassign_to": "scjg_01"}, f"/org/accounts/{target}")
    assert wrong.status_code == 422 and "接手人必须是同一部门的在岗人员" in wrong.get_data(as_text=True)
    assert _count(app, User, User.id == target, User.active.is_(True)) == 1
    done = _post(admin, f"/org/accounts/{target}/disable", {}, f"/org/accounts/{target}")
    assert done.status_code == 302
    assert "已退回部门任务池" in admin.get(f"/org/accounts/{target}").get_data(as_text=True)
    assert _count(app, User, User.id == target, User.active.is_(False)) == 1


def test_import_page_reports_rows(app):
    book = Workbook()
    sheet = book.active
    sheet.title = "部门"
    sheet.append(["部门编码", "名称", "区划代码", "部门类型"])
    sheet.append(["qc_jy", "蕲春县教育局", "421126", "教育"])
    sheet.append(["qc_bad", "蕲春县某局", "421126", "宣传"])
    data = io.BytesIO()
    book.save(data)
    admin = user_client(app, "admin")
    token = csrf_token(admin, "/org/import")
    refused = admin.post("/org/import", data={"csrf_token": token, "file": (io.BytesIO(data.getvalue()), "org.xlsx")},
                         content_type="multipart/form-data")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "未知的部门类型「宣传」" in text and "未导入任何数据" in text
    assert _count(app, Department, Department.code == "qc_jy") == 0
    applied = admin.post("/org/import", data={"csrf_token": token, "valid_only": "on",
                                              "file": (io.BytesIO(data.getvalue()), "org.xlsx")},
                         content_type="multipart/form-data")
    assert applied.status_code == 200 and "已导入" in applied.get_data(as_text=True)
    assert _count(app, Department, Department.code == "qc_jy") == 1


def test_delegation_page(app):
    official = user_client(app, "scjg_01")
    today = clock.today()
    bad = _post(official, "/org/delegations", {"delegate": "wjw_01", "starts_on": str(today),
                                                "ends_on": str(today)}, "/org/delegations")
    assert bad.status_code == 422 and "代办人必须是同一部门的其他在岗人员" in bad.get_data(as_text=True)
    assert _count(app, Delegation) == 0
    good = _post(official, "/org/delegations", {"delegate": "scjg_02", "starts_on": str(today),
                                                 "ends_on": str(today + timedelta(days=5))}, "/org/delegations")
    assert good.status_code == 302
    assert "已安排" in official.get("/org/delegations").get_data(as_text=True)
    received = user_client(app, "scjg_02").get("/org/delegations").get_data(as_text=True)
    assert "由我代办" in received and str(today + timedelta(days=5)) in received


def test_dashboard_warns_of_certificates_expiring_within_30_days(app):
    with app.app_context():
        soon = db.session.scalars(select(User).where(User.username == "scjg_03")).one()
        soon.cert_valid_until = clock.today() + timedelta(days=20)
        name = soon.display_name
        db.session.commit()
    page = user_client(app, "supervisor").get("/dashboard/").get_data(as_text=True)
    assert "执法证即将到期（1 人）" in page and name in page
    far = user_client(app, "th_supervisor").get("/dashboard/").get_data(as_text=True)
    assert "执法证即将到期" not in far  # another county's officer


def test_production_login_refuses_the_demo_password(app):
    from config import ProductionConfig
    from app import create_app
    config = type("ProdOnTestDb", (ProductionConfig,), {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x" * 40,
        "SQLALCHEMY_ENGINE_OPTIONS": {}, "LOG_FORMAT": "text", "check": classmethod(lambda cls: None)})
    client = create_app(config).test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/auth/login"
    refused = client.post("/auth/login", data={"csrf_token": csrf_token(client, "/auth/login"),
                                                "username": "scjg_01", "password": "demo12345"})
    assert refused.status_code == 403 and "生产环境不能使用演示密码登录" in refused.get_data(as_text=True)
    assert "session=" not in "".join(refused.headers.getlist("Set-Cookie")) or \
        client.get("/inbox/").status_code == 302
    token = client.post("/api/v1/tokens", json={"username": "scjg_01", "password": "demo12345"})
    assert token.status_code == 403


def test_admin_edits_a_department_type_and_name_audited(app):
    from models import AuditRecord
    admin = user_client(app, "admin")
    with app.app_context():
        dept = db.session.scalars(select(Department).where(Department.code == "hb")).one()
        dept_id, region_id = dept.id, dept.region_id
    saved = _post(admin, f"/org/departments/{dept_id}", {"code": "hb", "name": "蕲春县生态环境分局",
                                                          "region_id": region_id, "type": "ecology"})
    assert saved.status_code == 302
    with app.app_context():
        dept = db.session.get(Department, dept_id)
        assert (dept.name, dept.type) == ("蕲春县生态环境分局", "ecology")
        record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "org.department_update")).one()
        assert record.detail["after"]["type"] == "ecology"
    with app.app_context():
        taihu = db.session.scalar(select(Department.id).where(Department.code == "th_scjg"))
    assert _post(admin, f"/org/departments/{taihu}", {"code": "th_scjg", "name": "x", "region_id": region_id,
                                                      "type": "fire"}).status_code == 404
