"""`flask org import FILE.xlsx`: regions, departments, people; every bad row reported, nothing written by default."""
from openpyxl import Workbook
from sqlalchemy import func, select

from extensions import db
from models import AuditRecord, Department, Region, User

GOOD = {
    "区划": [("代码", "名称", "上级代码"),
           ("421182", "武穴市", "421100"),               # a county under the demo's 黄冈市
           ("421182100", "武穴街道", "421182"),         # listed before nothing: placed parent first anyway
           ("429004", "仙桃市", "420000")],            # 省直辖县级市
    "部门": [("部门编码", "名称", "区划代码", "部门类型"),
           ("wx_scjg", "武穴市市场监督管理局", "421182", "市场监管"),
           ("wx_xf", "武穴市消防救援大队", "421182", "fire"),
           ("wxjd_zhzf", "武穴街道综合执法队", "421182100", "综合执法")],
    "人员": [("账号", "姓名", "执法证号", "执法证有效期至", "部门编码", "区划代码", "角色", "在岗"),
           ("wx_scjg_01", "周敏", "4211822026001", "2028-06-30", "wx_scjg", "", "执法人员", "是"),
           ("wx_scjg_02", "吴强", "4211822026002", "2028-06-30", "wx_scjg", "", "official", "是"),
           ("wx_supervisor", "武穴市联席会办公室", "", "", "", "421182", "supervisor", "是")],
}


def _xlsx(path, sheets: dict) -> str:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return str(path)


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Region, Department, User))


def test_import_creates_the_tree_departments_and_people(app, tmp_path):
    path = _xlsx(tmp_path / "org.xlsx", GOOD)
    runner = app.test_cli_runner()
    before = _counts(app)
    dry = runner.invoke(args=["org", "import", path, "--dry-run"])
    assert dry.exit_code == 0 and "新增 9" in dry.output and "试运行" in dry.output
    assert _counts(app) == before
    result = runner.invoke(args=["org", "import", path])
    assert result.exit_code == 0, result.output
    assert "新增 9" in result.output and "已导入" in result.output
    with app.app_context():
        regions = {r.code: r for r in db.session.scalars(select(Region))}
        assert regions["421182"].parent.code == "421100" and regions["421182"].level == "county"
        assert regions["421182100"].parent.code == "421182" and regions["421182100"].level == "township"
        assert regions["429004"].parent.code == "420000"
        dept = db.session.scalars(select(Department).where(Department.code == "wxjd_zhzf")).one()
        assert dept.type == "comprehensive_enforcement" and dept.region.code == "421182100"
        officer = db.session.scalars(select(User).where(User.username == "wx_scjg_01")).one()
        assert officer.role_names == ["official"] and str(officer.cert_valid_until) == "2028-06-30"
        assert officer.region.code == "421182" and officer.department.code == "wx_scjg"
        supervisor = db.session.scalars(select(User).where(User.username == "wx_supervisor")).one()
        assert supervisor.department_id is None and supervisor.region.code == "421182"
        assert db.session.scalar(select(func.count()).where(AuditRecord.action == "org.import")) == 1
    again = runner.invoke(args=["org", "import", path])
    assert again.exit_code == 0 and "未变 9" in again.output  # re-importing changes nothing


BAD = {
    "区划": [("代码", "名称", "上级代码"),
           ("421183", "甲县", "999900"),        # 2: unknown parent
           ("421184", "乙县", "421100"),        # 3: good
           ("421184", "乙县重复", "421100"),     # 4: duplicate code
           ("42118X", "坏代码", "421100"),       # 5: bad division code
           ("421185", "丙县", "340800"),         # 6: prefix does not match the parent city
           ("421186", "丁县", "421187"),         # 7: cycle 421186 ↔ 421187
           ("421187", "戊县", "421186")],        # 8
    "部门": [("部门编码", "名称", "区划代码", "部门类型"),
           ("yx_scjg", "乙县市场监督管理局", "421184", "市场监管"),    # 2: good
           ("yx_xx", "乙县某局", "421184", "宣传"),                  # 3: unknown type
           ("yx_scjg", "乙县重复局", "421184", "市场监管"),           # 4: duplicate code
           ("zz_scjg", "某局", "000001", "市场监管")],               # 5: unknown region
    "人员": [("账号", "姓名", "执法证号", "执法证有效期至", "部门编码", "区划代码", "角色", "在岗"),
           ("yx_01", "甲", "YX001", "2028-01-01", "yx_scjg", "", "执法人员", "是"),   # 2: good
           ("yx_02", "乙", "YX002", "明年", "yx_scjg", "", "执法人员", "是"),         # 3: bad date
           ("yx_03", "丙", "YX003", "2028-01-01", "nope", "", "执法人员", "是"),      # 4: unknown department
           ("yx_04", "丁", "", "", "yx_scjg", "", "局长", "是")],                   # 5: unknown role
}


def test_bad_rows_are_all_reported_and_nothing_is_written(app, tmp_path):
    path = _xlsx(tmp_path / "bad.xlsx", BAD)
    runner = app.test_cli_runner()
    before = _counts(app)
    result = runner.invoke(args=["org", "import", path])
    assert result.exit_code == 1 and "未导入任何数据" in result.output
    out = result.output
    for line in ("第 2 行 区划·上级代码：上级区划 999900 不存在", "第 4 行 区划·代码：区划代码 421184 与第 3 行重复",
                 "第 5 行 区划·代码：「42118X」", "第 6 行 区划·上级代码：区划代码 421185 的前 4 位",
                 "第 7 行 区划·上级代码：上级关系成环", "第 8 行 区划·上级代码：上级关系成环",
                 "第 3 行 部门·部门类型：未知的部门类型「宣传」", "第 4 行 部门·部门编码：部门编码 yx_scjg 与第 2 行重复",
                 "第 5 行 部门·区划代码：区划代码「000001」不存在", "第 3 行 人员·执法证有效期至：「明年」不是日期",
                 "第 4 行 人员·部门编码：部门「nope」不存在", "第 5 行 人员·角色：角色「局长」无效"):
        assert line in out, (line, out)
    assert _counts(app) == before
    applied = runner.invoke(args=["org", "import", path, "--valid-only"])
    assert applied.exit_code == 0 and "新增 3" in applied.output  # 乙县, its bureau, yx_01
    with app.app_context():
        assert db.session.scalar(select(Region.name).where(Region.code == "421184")) == "乙县"
        assert db.session.scalar(select(func.count()).where(Region.code.in_(["421183", "421186", "42118X"]))) == 0


def test_refuses_a_csv_and_a_workbook_without_org_sheets(app, tmp_path):
    csv_path = tmp_path / "org.csv"
    csv_path.write_text("代码,名称\n421182,武穴市\n", encoding="utf-8")
    runner = app.test_cli_runner()
    assert "只接受 XLSX" in runner.invoke(args=["org", "import", str(csv_path)]).output
    other = _xlsx(tmp_path / "other.xlsx", {"Sheet1": [("a",), ("b",)]})
    refused = runner.invoke(args=["org", "import", other])
    assert refused.exit_code != 0 and "没有「区划」「部门」「人员」工作表" in refused.output
