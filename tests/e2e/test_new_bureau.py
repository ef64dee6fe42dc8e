"""A new bureau on a fresh PostgreSQL database, with no demo data anywhere (issue 14's first check).

Console (APP_ENV=production, as an operator runs it): migrate; `demo load` is refused and writes nothing;
deploy the bundled workflows; `org import` the region tree and departments; `users create` the first admin.
The migration runs as the operator types it (`flask --app app db upgrade` in a process of its own, configured
by the environment); the commands after it run the same `flask` command group in this process, on an app
built with the production settings (each process start imports the whole app: seconds apiece).
Then the admin logs in, creates the county's supervisor, imports the officials with their 执法证, fills the
catalogue and the enterprise directory, and a whole campaign runs in the new county (demo/simulate.py drives
the same services as the pages).
"""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app import create_app
from config import ProductionConfig, _postgres_options
from domain.uscc import make_code
from extensions import db
from models import Campaign, Department, Inspection, Region, User
from services import auth
from services.directory import catalogue
from services.imports import batch as imports
from tests import pgdb
from tests.conftest import _config_for, csrf_token, login, postgres_url

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "Chuangjian2026q"


@pytest.fixture
def fresh_url():
    """An empty database created for this test (tests/pgdb.py) and dropped after it."""
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable (set REQUIRE_POSTGRES=1 to make this a failure)")
    yield url
    pgdb.drop(url)


def _migrate_from_the_console(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": "f" * 64, "AUDIT_HMAC_KEY": "a" * 64,
           "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def _production_app(url: str):
    """The app as APP_ENV=production builds it, on `url` (ProductionConfig reads its engine options from the
    environment at import, so they are set here as the console's process would have them)."""
    return create_app(type("P", (ProductionConfig,), {
        "SECRET_KEY": "f" * 64, "AUDIT_HMAC_KEY": "a" * 64, "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": _postgres_options(), "LOG_LEVEL": "WARNING"}))


def _flask(production, *args: str, stdin: str | None = None):
    """`flask --app app <args>` of the production app, in this process: exit code, stdout and stderr."""
    return production.test_cli_runner().invoke(args=list(args), input=stdin)


def _rows(url: str, table: str) -> int:
    import psycopg
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _workbook(sheets: dict) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


ORG = {"区划": [("代码", "名称", "上级代码"), ("420000", "湖北省", ""), ("421100", "黄冈市", "420000"),
               ("421182", "武穴市", "421100")],
       "部门": [("部门编码", "名称", "区划代码", "部门类型"), ("wx_scjg", "武穴市市场监督管理局", "421182", "市场监管"),
               ("wx_wjw", "武穴市卫生健康局", "421182", "卫生健康")]}
PEOPLE = {"人员": [("账号", "姓名", "执法证号", "执法证有效期至", "部门编码", "区划代码", "角色", "在岗")]
          + [(f"wx_scjg_{n}", f"市监{n}", f"WXSJ{n}", "2029-12-31", "wx_scjg", "", "执法人员", "是") for n in range(1, 4)]
          + [(f"wx_wjw_{n}", f"卫健{n}", f"WXWJ{n}", "2029-12-31", "wx_wjw", "", "执法人员", "是") for n in range(1, 4)]}


def test_a_new_county_runs_a_campaign_without_demo_data(fresh_url, tmp_path):
    migrated = _migrate_from_the_console(fresh_url)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    production = _production_app(fresh_url)
    refused = _flask(production, "demo", "load")
    assert refused.exit_code != 0 and "生产环境" in refused.stderr
    assert [_rows(fresh_url, t) for t in ("region", "department", "user_account", "enterprise", "matter")] == [0] * 5
    deployed = _flask(production, "process", "deploy-bundled")
    assert deployed.exit_code == 0, deployed.output
    org = tmp_path / "org.xlsx"
    org.write_bytes(_workbook(ORG))
    imported = _flask(production, "org", "import", str(org))
    assert imported.exit_code == 0 and "新增 5" in imported.stdout, imported.output
    made = _flask(production, "users", "create", "chief", "--role", "admin", "--password-stdin", stdin=ADMIN_PASSWORD)
    assert made.exit_code == 0 and "全平台" in made.stdout, made.output
    demo_password = _flask(production, "users", "create", "lazy", "--role", "admin", "--password-stdin",
                           stdin="demo12345")
    assert demo_password.exit_code != 0 and "不能使用演示密码" in demo_password.stderr

    app = create_app(_config_for(fresh_url))
    admin = app.test_client()
    login(admin, "chief", ADMIN_PASSWORD)
    created = admin.post("/org/accounts/new", data={
        "csrf_token": csrf_token(admin, "/org/accounts/new"), "username": "wx_supervisor", "display_name": "武穴市联席会办公室",
        "password": "Lianxi2026w", "roles": "supervisor", "region_code": "421182"})
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    uploaded = admin.post("/org/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(admin, "/org/import"), "file": (io.BytesIO(_workbook(PEOPLE)), "people.xlsx")})
    assert uploaded.status_code == 200 and "已导入" in uploaded.get_data(as_text=True)

    with app.app_context():
        chief = db.session.scalars(select(User).where(User.username == "chief")).one()
        industry = catalogue.save_industry(chief, {"code": "6210", "name": "正餐服务"})
        departments = {d.code: d for d in db.session.scalars(select(Department))}
        matters = [catalogue.save_matter(chief, {"code": f"{code}-01", "name": name, "legal_basis": basis,
                                                 "method": "实地检查", "department_id": departments[code].id,
                                                 "industry_ids": [industry.id]})
                   for code, name, basis in (("wx_scjg", "食品经营许可检查", "《食品安全法》第三十五条"),
                                             ("wx_wjw", "从业人员健康检查", "《公共场所卫生管理条例》第七条"))]
        catalogue.revise_checklist(chief, industry.id, [{"matter_id": m.id, "text": f"{m.name}：证照是否齐全"}
                                                        for m in matters], "初始版本")
        csv = tmp_path / "enterprises.csv"
        lines = ["统一社会信用代码,名称,行业代码,区域代码,地址,登记状态,信用风险分类"]
        for n in range(24):
            code = make_code("9", "1", "421182", f"WX{n:07d}")
            lines.append(f"{code},武穴市第{n}号餐饮有限公司,6210,421182,武穴市大道{n}号,存续,{'ABCD'[n % 4]}")
        csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = imports.run_import(chief, "enterprises", csv)
        assert report.applied and report.inserted == 24

        from demo.simulate import simulate
        campaign = simulate(4, say=lambda _line: None)
        campaign = db.session.get(Campaign, campaign.id)
        assert campaign.status == "completed" and campaign.region.code == "421182"
        assert campaign.lead_department.code == "wx_scjg"
        inspections = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign.id)).all()
        assert inspections and all(i.enterprise.region_id == campaign.region_id for i in inspections)
        officers = {o.user.username for i in inspections for o in i.officers}
        assert officers and all(name.startswith(("wx_scjg_", "wx_wjw_")) for name in officers)
        # nothing of the demo county is there
        assert db.session.scalar(select(func.count()).where(Region.code.in_(["421126", "340825"]))) == 0
        assert db.session.scalar(select(func.count()).where(User.username.in_(["supervisor", "admin", "scjg_01"]))) == 0
        db.session.remove()
        db.engine.dispose()

    with production.app_context():
        with pytest.raises(auth.DemoPasswordRefused):
            auth.authenticate("chief", "demo12345")
        assert auth.authenticate("chief", ADMIN_PASSWORD).username == "chief"
        db.session.remove()
        db.engine.dispose()
