"""Imports: encodings, XLSX, bad rows with row numbers, all-or-nothing vs valid-only, dry run, idempotency."""
import codecs
import tracemalloc

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from domain.uscc import check_character, make_code
from extensions import db
from models import AuditRecord, Enterprise, Expert, User
from services.imports import batch as imports
from services.errors import Forbidden
from services.imports.files import ImportRefused

HEADER = "统一社会信用代码,名称,行业代码,区域代码,地址,登记状态,信用风险分类"
GOOD = make_code("9", "1", "421126", "MA0000001")
GOOD2 = make_code("9", "1", "421126", "MA0000002")
BAD_CHECK = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def user(name):
    return db.session.scalar(select(User).where(User.username == name))


def count(model=Enterprise):
    return db.session.scalar(select(func.count()).select_from(model))


def enterprise(code):
    return db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))


def csv_text(*rows):
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding(app, tmp_path, encoding):
    path = write(tmp_path, "e.csv", csv_text(f"{GOOD},蕲春县福盛餐饮管理有限公司,6210,421126,漕河镇人民路1号,存续,b"), encoding)
    with app.app_context():
        report = imports.run_import(user("admin"), "enterprises", path)
        assert (report.applied, report.inserted, report.error_count) == (True, 1, 0)
        row = enterprise(GOOD)
        assert (row.name, row.credit_class, row.address) == ("蕲春县福盛餐饮管理有限公司", "B", "漕河镇人民路1号")
        assert report.encoding == ("gb18030" if encoding.startswith("gb") else encoding)


def test_xlsx_import_with_numeric_cells(app, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append([GOOD, "太湖县晋熙镇祥瑞宾馆", 6110, 340825, None, "存续", "A"])  # codes typed as numbers
    path = tmp_path / "e.xlsx"
    workbook.save(path)
    with app.app_context():
        report = imports.run_import(user("admin"), "enterprises", path)
        assert (report.file_kind, report.inserted, report.error_count) == ("xlsx", 1, 0)
        assert enterprise(GOOD).region.code == "340825"


def test_bad_rows_reported_and_nothing_applied(app, tmp_path):
    path = write(tmp_path, "e.csv", csv_text(
        f"{GOOD},好企业,6210,421126,,存续,A",
        f"{BAD_CHECK},校验码错,6210,421126,,存续,A",
        f"{GOOD2},未知行业,9999,421126,,关闭,E",
        f"{GOOD},重复,6210,421126,,存续,A"))
    with app.app_context():
        before = count()
        report = imports.run_import(user("admin"), "enterprises", path)
        assert not report.applied and count() == before and enterprise(GOOD) is None
        found = {(e.row, e.column) for e in report.errors}
        assert {(3, "统一社会信用代码"), (4, "行业代码"), (4, "登记状态"), (4, "信用风险分类"), (5, "统一社会信用代码")} == found
        check = next(e for e in report.errors if e.row == 3)
        assert f"第18位校验码应为'{GOOD[17]}'" in check.reason
        assert "与第 2 行重复" in next(e for e in report.errors if e.row == 5).reason
        assert report.bad_rows == 3


def test_valid_only_applies_good_rows_and_is_idempotent(app, tmp_path):
    path = write(tmp_path, "e.csv", csv_text(f"{GOOD},好企业,6210,421126,,存续,A", f"{BAD_CHECK},坏,6210,421126,,存续,A",
                                             f"{GOOD2},旧号企业,6210,421126,,存续,C"))
    with app.app_context():
        before = count()
        first = imports.run_import(user("admin"), "enterprises", path, valid_only=True)
        assert (first.applied, first.inserted, first.bad_rows) == (True, 2, 1)
        assert count() == before + 2
        again = imports.run_import(user("admin"), "enterprises", path, valid_only=True)
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
        assert count() == before + 2
        assert db.session.scalar(select(func.count()).where(AuditRecord.action == "directory.import_enterprises")) == 2


def test_update_by_uscc_and_dry_run(app, tmp_path):
    with app.app_context():
        existing = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).first()
        code, industry, region = existing.uscc, existing.industry.code, existing.region.code
        new_class = "D" if existing.credit_class != "D" else "A"
    path = write(tmp_path, "e.csv", csv_text(f"{code},改名后的企业,{industry},{region},新地址,存续,{new_class}",
                                             f"{GOOD},新企业,6210,421126,,存续,A"))
    with app.app_context():
        dry = imports.run_import(user("admin"), "enterprises", path, dry_run=True)
        assert (dry.applied, dry.inserted, dry.updated) == (False, 1, 1)
        assert enterprise(code).name != "改名后的企业" and enterprise(GOOD) is None
        report = imports.run_import(user("admin"), "enterprises", path)
        assert (report.inserted, report.updated) == (1, 1)
        db.session.expire_all()
        assert (enterprise(code).name, enterprise(code).credit_class) == ("改名后的企业", new_class)


def test_legacy_registration_number_is_kept_and_flagged(app, tmp_path):
    legacy = "110108000000016"
    path = write(tmp_path, "e.csv", csv_text(f"{legacy},老字号个体户,6210,421126,,存续,B"))
    with app.app_context():
        imports.run_import(user("admin"), "enterprises", path)
        assert enterprise(legacy).legacy_code is True


def test_credit_refresh_reports_unknown_codes(app, tmp_path):
    with app.app_context():
        rows = db.session.scalars(select(Enterprise).order_by(Enterprise.id).limit(2)).all()
        targets = {r.uscc: ("D" if r.credit_class != "D" else "A") for r in rows}
    text = "统一社会信用代码,信用风险分类\n" + "".join(f"{c},{k}\n" for c, k in targets.items()) + f"{GOOD},B\nXYZ,C\n"
    path = write(tmp_path, "credit.csv", text, "gbk")
    with app.app_context():
        report = imports.run_import(user("admin"), "credit", path, valid_only=True)
        assert (report.updated, report.unknown_count, report.bad_rows) == (2, 1, 1)
        assert report.unknown[0].row == 4 and GOOD in report.unknown[0].reason
        db.session.expire_all()
        assert {c: enterprise(c).credit_class for c in targets} == targets


def test_officials_upsert_by_cert_no_and_department_admin_limits(app, tmp_path):
    text = ("执法证号,姓名,部门,账号,专长,在岗\n"
            "42112620269901,新同事,scjg,,食品安全、计量,是\n"
            "42112620269902,别的部门,蕲春县消防救援大队,,消防监督,是\n")
    path = write(tmp_path, "o.csv", text)
    with app.app_context():
        refused = imports.run_import(user("scjg_admin"), "officials", path)
        assert not refused.applied and [(e.row, e.column) for e in refused.errors] == [(3, "部门")]
        report = imports.run_import(user("scjg_admin"), "officials", path, valid_only=True)
        assert (report.inserted, report.bad_rows) == (1, 1)
        person = db.session.scalar(select(User).where(User.cert_no == "42112620269901"))
        assert person.has_role("official") and person.department.code == "scjg" and person.username == "u42112620269901"
        again = imports.run_import(user("admin"), "officials", path)
        assert (again.inserted, again.unchanged) == (1, 1)
        with pytest.raises(Forbidden):
            imports.run_import(user("scjg_01"), "officials", path)


def test_experts_import(app, tmp_path):
    path = write(tmp_path, "x.csv", "证件号,姓名,专业领域,工作单位,区域代码,在库\nZJ001,王工,特种设备,湖北省特检院,421126,是\n"
                                    "ZJ002,李工,,某院,421126,也许\n")
    with app.app_context():
        report = imports.run_import(user("admin"), "experts", path, valid_only=True)
        assert report.inserted == 1 and {(e.row, e.column) for e in report.errors} == {(3, "专业领域"), (3, "在库")}
        assert db.session.scalar(select(Expert.field).where(Expert.cert_no == "ZJ001")) == "特种设备"
        with pytest.raises(Forbidden):
            imports.run_import(user("scjg_admin"), "experts", path)


@pytest.mark.parametrize("name,content,message", [
    ("e.txt", b"a,b\n", "只支持 CSV 或 XLSX"),
    ("e.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "不是文本"),
    ("e.xlsx", "统一社会信用代码\n".encode(), "不是 Excel 工作簿"),
    ("e.csv", b"PK\x03\x04junk", "压缩包"),
    ("e.csv", b"", "空的"),
    ("e.csv", "名称\n某公司\n".encode(), "缺少必需的列"),
])
def test_refused_files(app, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with app.app_context(), pytest.raises(ImportRefused, match=message):
        imports.run_import(user("admin"), "enterprises", path, filename=name)


def test_zip_that_is_not_a_workbook_is_refused(app, tmp_path):
    import zipfile
    path = tmp_path / "e.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with app.app_context(), pytest.raises(ImportRefused, match="缺少"):
        imports.run_import(user("admin"), "enterprises", path)


def _big_csv(path, rows):
    with codecs.open(path, "w", encoding="gbk") as out:
        out.write(HEADER + "\n")
        for n in range(rows):
            body = f"91421126MB{n:07d}"
            code = body + check_character(body)
            out.write(f"{code},蕲春县漕河镇第{n}号福盛兴隆餐饮管理有限公司分店,6210,421126,蕲春县漕河镇人民路{n}号,存续,C\n")
    return path


def _traced_peak(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_several_megabyte_file_is_streamed(app, tmp_path, monkeypatch):
    """A ~4 MB GBK file needs no more memory than one a third its size: it is never read whole.
    (Dry runs: the same reading, checking and staging as an import, without the final write.)"""
    monkeypatch.setattr(imports, "BATCH", 500)
    small, big = _big_csv(tmp_path / "small.csv", 12_000), _big_csv(tmp_path / "big.csv", 36_000)
    assert big.stat().st_size > 4_000_000
    with app.app_context():
        admin, seen, reports = user("admin"), [], []
        imports.run_import(admin, "enterprises", small, dry_run=True)  # warm-up: imports, statement caches
        small_peak = _traced_peak(lambda: imports.run_import(admin, "enterprises", small, dry_run=True))
        big_peak = _traced_peak(lambda: reports.append(
            imports.run_import(admin, "enterprises", big, dry_run=True, progress=seen.append)))
        assert (reports[0].rows, reports[0].inserted, reports[0].error_count) == (36_000, 36_000, 0)
        assert big_peak < small_peak * 1.2 + 1_000_000, (small_peak, big_peak)
        assert seen[-1] == 1.0 and 0 < seen[0] < 1


def test_name_search_index_follows_imports(app, tmp_path):
    """The trigram index (FTS5 on SQLite) is kept in sync with inserts and renames by import."""
    from services.directory import listings as directory

    def names(q):
        return [e.name for e in directory.search_enterprises(directory.enterprise_filters({"q": q})).items]

    first = write(tmp_path, "a.csv", csv_text(f"{GOOD},蕲春县鑫凯祥瑞餐饮管理有限公司,6210,421126,,存续,A"))
    renamed = write(tmp_path, "b.csv", csv_text(f"{GOOD},蕲春县福泰荣昌餐饮管理有限公司,6210,421126,,存续,A"))
    with app.app_context():
        imports.run_import(user("admin"), "enterprises", first)
        assert names("鑫凯祥瑞") == ["蕲春县鑫凯祥瑞餐饮管理有限公司"]
        imports.run_import(user("admin"), "enterprises", renamed)
        assert names("鑫凯祥瑞") == [] and names("福泰荣昌") == ["蕲春县福泰荣昌餐饮管理有限公司"]
        assert names('"; DROP') == []  # quotes are escaped inside the FTS phrase


def test_enterprise_and_credit_import_on_postgresql(pg_app, tmp_path):
    """The staging table (ON COMMIT DROP), UPDATE … FROM and INSERT … SELECT on PostgreSQL."""
    path = write(tmp_path, "e.csv", csv_text(f"{GOOD},蕲春县福盛餐饮管理有限公司,6210,421126,,存续,A",
                                             f"{BAD_CHECK},坏,6210,421126,,存续,A", f"{GOOD2},另一家,6210,421126,,存续,B"), "gbk")
    credit = write(tmp_path, "c.csv", f"统一社会信用代码,信用风险分类\n{GOOD},D\n{make_code('9', '1', '421126', 'MA0000009')},A\n")
    with pg_app.app_context():
        refused = imports.run_import(user("admin"), "enterprises", path)
        assert not refused.applied and enterprise(GOOD) is None
        first = imports.run_import(user("admin"), "enterprises", path, valid_only=True)
        again = imports.run_import(user("admin"), "enterprises", path, valid_only=True)
        assert (first.inserted, again.inserted, again.unchanged, again.bad_rows) == (2, 0, 2, 1)
        refresh = imports.run_import(user("admin"), "credit", credit)
        assert (refresh.applied, refresh.updated, refresh.unknown_count) == (True, 1, 1)
        db.session.expire_all()
        assert enterprise(GOOD).credit_class == "D"
