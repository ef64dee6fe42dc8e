"""Imports into the three libraries: enterprises, officials, experts, and the credit-class refresh.

Policy (the same for the CLI and the upload page):
- **All or nothing by default.** Every row is checked; every bad row is reported (row number, column,
  reason, e.g. the USCC check character expected). If any row is bad, nothing is written.
- **`valid_only`** applies the good rows and skips the bad ones, still reporting each of them. A bad row is
  never half-applied: a row is checked whole before any of it is written.
- **`dry_run`** runs every check and counts what would be inserted, updated or left unchanged, then rolls
  back. Either policy can be dry-run.
- Upsert keys: USCC for enterprises, enforcement certificate number for officials, certificate number for
  experts. A key repeated in one file is a bad row (the first occurrence counts). Importing the same file
  twice changes nothing the second time (all rows "unchanged").
- The credit refresh reads USCC + class; codes not in the directory are listed as unknown and skipped
  (a provincial file always holds other counties' enterprises), they do not block the refresh.

Files are streamed (services/import_files.py) and written in batches inside one transaction. Enterprises
and credit classes go through a temporary staging table, so a million rows need neither a million ORM
objects nor a Python set of a million codes: duplicates, inserts and updates are set operations in SQL.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import (Boolean, Column, Integer, MetaData, String, Table, and_, exists, func, insert, or_, select,
                        update)

from domain import uscc as uscc_rules
from extensions import db
from models import Department, Enterprise, Expert, Industry, Region, User, UserRole
from models.enterprise import CREDIT_CLASSES, STATUSES
from services import audit
from services.directory import can_edit
from services.errors import Forbidden
from services.import_files import ImportRefused, Source, open_source

KINDS = ("enterprises", "officials", "experts", "credit")
BATCH = 5_000
MAX_REPORTED = 1_000
UNUSABLE_PASSWORD = "!imported"  # no hash matches it: an imported official cannot log in until an admin sets one

COLUMNS = {
    "enterprises": {"uscc": ("统一社会信用代码", "uscc", "信用代码"), "name": ("名称", "企业名称", "name"),
                    "industry_code": ("行业代码", "industry_code"), "region_code": ("区域代码", "行政区划代码", "region_code"),
                    "address": ("地址", "住所", "address"), "status": ("登记状态", "状态", "status"),
                    "credit_class": ("信用风险分类", "信用风险等级", "credit_class")},
    "credit": {"uscc": ("统一社会信用代码", "uscc", "信用代码"),
               "credit_class": ("信用风险分类", "信用风险等级", "credit_class")},
    "officials": {"cert_no": ("执法证号", "cert_no"), "name": ("姓名", "name"), "department": ("部门", "department"),
                  "username": ("账号", "username"), "specialties": ("专长", "specialties"), "active": ("在岗", "active")},
    "experts": {"cert_no": ("证件号", "cert_no"), "name": ("姓名", "name"), "field": ("专业领域", "field"),
                "organisation": ("工作单位", "organisation"), "region_code": ("区域代码", "region_code"),
                "active": ("在库", "active")},
}
REQUIRED = {"enterprises": ("uscc", "name", "industry_code", "region_code", "credit_class"),
            "credit": ("uscc", "credit_class"), "officials": ("cert_no", "name", "department"),
            "experts": ("cert_no", "name", "field")}
LABELS = {kind: {name: aliases[0] for name, aliases in cols.items()} for kind, cols in COLUMNS.items()}
TRUE, FALSE = ("是", "1", "true", "y", "yes", "在岗", "在库", ""), ("否", "0", "false", "n", "no", "停用")


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    file_kind: str = ""
    encoding: str | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    bad_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown: list[RowError] = field(default_factory=list)
    unknown_count: int = 0
    applied: bool = False
    dry_run: bool = False
    valid_only: bool = False
    _last_bad_row: int = field(default=0, repr=False)

    def error(self, row: int, column: str, reason: str) -> None:
        self.error_count += 1
        if row != self._last_bad_row:
            self.bad_rows += 1
            self._last_bad_row = row
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(RowError(row, column, reason))



def authorize(actor: User, kind: str) -> None:
    if kind not in KINDS:
        raise ImportRefused(f"未知的导入类型 {kind}")
    if kind == "officials" and actor.has_role("department_admin"):
        return  # rows outside the actor's department are refused row by row
    if not actor.has_role("admin"):
        raise Forbidden("只有系统管理员可以导入经营主体、专家和信用风险分类；部门管理员可以导入本部门执法人员")


def run_import(actor: User, kind: str, path: Path, *, filename: str | None = None, dry_run: bool = False,
               valid_only: bool = False, progress: Callable[[float], None] | None = None) -> ImportReport:
    authorize(actor, kind)
    source = open_source(Path(path), filename)
    report = ImportReport(kind, source.kind, source.encoding, dry_run=dry_run, valid_only=valid_only)
    try:
        index = _header_index(kind, source.header)
        rows = _tracked(source, report, progress)
        {"enterprises": _enterprises, "credit": _credit, "officials": _officials, "experts": _experts}[kind](
            actor, rows, index, report)
        if dry_run or (report.error_count and not valid_only):
            db.session.rollback()
        else:
            report.applied = True
            audit.record(actor, f"directory.import_{kind}", "import", 0, file=filename or Path(path).name,
                         rows=report.rows, inserted=report.inserted, updated=report.updated,
                         skipped=report.bad_rows, unknown=report.unknown_count)
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        source.close()
    return report


def _header_index(kind: str, header: list[str]) -> dict[str, int]:
    wanted = COLUMNS[kind]
    normalized = [h.strip().lstrip("\ufeff").lower() for h in header]
    index = {}
    for name, aliases in wanted.items():
        for alias in aliases:
            if alias.lower() in normalized:
                index[name] = normalized.index(alias.lower())
                break
    missing = [wanted[name][0] for name in REQUIRED[kind] if name not in index]
    if missing:
        raise ImportRefused(f"缺少必需的列：{'、'.join(missing)}（第 1 行应为表头）")
    return index


def _tracked(source: Source, report: ImportReport, progress) -> Iterator[tuple[int, list[str]]]:
    for number, cells in source.rows:
        if not any(c.strip() for c in cells):
            continue  # blank lines at the end of exports are not rows
        report.rows += 1
        if progress and report.rows % 1000 == 0:
            progress(source.progress())
        yield number, cells
    if progress:
        progress(1.0)


def _get(cells: list[str], index: dict[str, int], name: str) -> str:
    position = index.get(name)
    return cells[position].strip() if position is not None and position < len(cells) else ""


def _batches(rows, size: int = BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _text(report, number, label, value, limit, required=True) -> str | None:
    if not value:
        if required:
            report.error(number, label, "不能为空")
            return None
        return ""
    if len(value) > limit:
        report.error(number, label, f"超过 {limit} 字")
        return None
    return value


# A clean code (the vast majority of rows) skips normalisation and the per-character error hunt.
_CLEAN_CODE = re.compile(r"[1-9ANY][0-9A-HJ-NP-RTUWXY]\d{6}[0-9A-HJ-NP-RTUWXY]{10}")


def _check_uscc(report, number, raw) -> uscc_rules.UsccResult | None:
    if _CLEAN_CODE.fullmatch(raw) and raw[0] in uscc_rules.AUTHORITIES \
            and uscc_rules.check_character(raw[:17]) == raw[17]:
        return uscc_rules.UsccResult(raw, True, False, (), None)
    if not raw:
        report.error(number, "统一社会信用代码", "不能为空")
        return None
    result = uscc_rules.validate(raw)
    if not result.valid:
        report.error(number, "统一社会信用代码", f"「{raw}」无效：" + "；".join(result.errors))
        return None
    return result


def _flag(report, number, label, value) -> bool | None:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    report.error(number, label, f"「{value}」应为 是 或 否")
    return None


# --- enterprises and credit: through a staging table -----------------------------------------------

def _staging(name: str, *columns) -> Table:
    table = Table(f"import_{name}", MetaData(), Column("row_no", Integer, primary_key=True),
                  Column("uscc", String(18), index=True), *columns, prefixes=["TEMPORARY"],
                  postgresql_on_commit="DROP")
    connection = db.session.connection()
    table.drop(connection, checkfirst=True)  # a previous import on this connection may have left it
    table.create(connection)
    return table


def _drop(table: Table) -> None:
    table.drop(db.session.connection(), checkfirst=True)


def _enterprise_rows(rows, index, report) -> Iterator[dict]:
    labels = LABELS["enterprises"]
    industries = dict(db.session.execute(select(Industry.code, Industry.id)).all())
    regions = dict(db.session.execute(select(Region.code, Region.id)).all())
    for number, cells in rows:
        before = report.error_count
        code = _check_uscc(report, number, _get(cells, index, "uscc"))
        name = _text(report, number, labels["name"], _get(cells, index, "name"), 200)
        address = _text(report, number, labels["address"], _get(cells, index, "address"), 300, required=False)
        industry = _get(cells, index, "industry_code")
        if industry not in industries:
            report.error(number, labels["industry_code"], f"「{industry}」不在行业目录中")
        region = _get(cells, index, "region_code")
        if region not in regions:
            report.error(number, labels["region_code"], f"「{region}」不是已登记的行政区划代码")
        status = _get(cells, index, "status") or "存续"
        if status not in STATUSES:
            report.error(number, labels["status"], f"「{status}」应为 {'、'.join(STATUSES)} 之一")
        credit = _get(cells, index, "credit_class").upper()
        if credit not in CREDIT_CLASSES:
            report.error(number, labels["credit_class"], f"「{credit}」应为 A、B、C、D 之一")
        if report.error_count == before:
            yield {"row_no": number, "uscc": code.code, "legacy_code": code.legacy, "name": name,
                   "industry_id": industries[industry], "region_id": regions[region], "address": address or None,
                   "status": status, "credit_class": credit}


def _stage(table: Table, rows: Iterator[dict]) -> None:
    """Insert through the driver's executemany: at a million rows SQLAlchemy's per-row parameter
    processing would cost more than the database does."""
    connection = db.session.connection()
    names = [c.name for c in table.columns]
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([marker] * len(names))})"
    for batch in _batches(rows):
        connection.exec_driver_sql(sql, [tuple(row[n] for n in names) for row in batch])


def _drop_duplicates(table: Table, report: ImportReport) -> None:
    """A code twice in one file: the first occurrence counts, each later one is a bad row."""
    first = select(table.c.uscc, func.min(table.c.row_no).label("first")).group_by(table.c.uscc).having(
        func.count() > 1).subquery()
    duplicates = db.session.execute(select(table.c.row_no, first.c.first).join(first, first.c.uscc == table.c.uscc)
                                    .where(table.c.row_no != first.c.first).order_by(table.c.row_no)).all()
    for row_no, first_row in duplicates:
        report.error(row_no, "统一社会信用代码", f"与第 {first_row} 行重复")
    if duplicates:
        keep = select(func.min(table.c.row_no)).group_by(table.c.uscc)
        db.session.execute(table.delete().where(table.c.row_no.not_in(keep)))


def _enterprises(actor, rows, index, report) -> None:
    e = Enterprise.__table__
    fields = ("legacy_code", "name", "industry_id", "region_id", "address", "status", "credit_class")
    table = _staging("enterprise", Column("legacy_code", Boolean), Column("name", String(200)),
                     Column("industry_id", Integer), Column("region_id", Integer), Column("address", String(300)),
                     Column("status", String(10)), Column("credit_class", String(1)))
    _stage(table, _enterprise_rows(rows, index, report))
    _drop_duplicates(table, report)
    matched = e.c.uscc == table.c.uscc
    differs = or_(*[e.c[f].is_distinct_from(table.c[f]) for f in fields])
    staged = db.session.scalar(select(func.count()).select_from(table))
    report.updated = db.session.scalar(select(func.count()).select_from(table).join(e, matched).where(differs))
    report.inserted = staged - db.session.scalar(select(func.count()).select_from(table).join(e, matched))
    report.unchanged = staged - report.inserted - report.updated
    if not report.dry_run and (report.valid_only or not report.error_count):
        db.session.execute(update(e).where(matched, differs).values({f: table.c[f] for f in fields}))
        db.session.execute(insert(e).from_select(["uscc", *fields], select(table.c.uscc, *[table.c[f] for f in fields])
                                                 .where(~exists().where(e.c.uscc == table.c.uscc))
                                                 .order_by(table.c.row_no)))
    _drop(table)


def _credit_rows(rows, index, report) -> Iterator[dict]:
    for number, cells in rows:
        code = _check_uscc(report, number, _get(cells, index, "uscc"))
        credit = _get(cells, index, "credit_class").upper()
        if credit not in CREDIT_CLASSES:
            report.error(number, LABELS["credit"]["credit_class"], f"「{credit}」应为 A、B、C、D 之一")
        elif code:
            yield {"row_no": number, "uscc": code.code, "credit_class": credit}


def _credit(actor, rows, index, report) -> None:
    e = Enterprise.__table__
    table = _staging("credit", Column("credit_class", String(1)))
    _stage(table, _credit_rows(rows, index, report))
    _drop_duplicates(table, report)
    unknown = select(table.c.row_no, table.c.uscc).where(~exists().where(e.c.uscc == table.c.uscc))
    report.unknown_count = db.session.scalar(select(func.count()).select_from(unknown.subquery()))
    report.unknown = [RowError(n, "统一社会信用代码", f"名录库中没有「{code}」")
                      for n, code in db.session.execute(unknown.order_by(table.c.row_no).limit(MAX_REPORTED))]
    matched = and_(e.c.uscc == table.c.uscc)
    differs = e.c.credit_class != table.c.credit_class
    report.updated = db.session.scalar(select(func.count()).select_from(table).join(e, matched).where(differs))
    report.unchanged = db.session.scalar(select(func.count()).select_from(table).join(e, matched)) - report.updated
    if not report.dry_run and (report.valid_only or not report.error_count):
        db.session.execute(update(e).where(matched, differs).values(credit_class=table.c.credit_class))
    _drop(table)


# --- officials and experts: thousands of rows, through the ORM ---------------------------------------

def _officials(actor, rows, index, report) -> None:
    labels = LABELS["officials"]
    departments = {}
    for d in db.session.scalars(select(Department)):
        departments[d.code] = departments[d.name] = d
    seen_cert, seen_user = {}, {}
    for number, cells in rows:
        before = report.error_count
        cert_no = _text(report, number, labels["cert_no"], _get(cells, index, "cert_no"), 40)
        name = _text(report, number, labels["name"], _get(cells, index, "name"), 100)
        department = departments.get(_get(cells, index, "department"))
        if department is None:
            report.error(number, labels["department"], f"「{_get(cells, index, 'department')}」不是已登记的部门")
        elif not can_edit(actor, department.id):
            report.error(number, labels["department"], "部门管理员只能导入本部门的人员")
        specialties = _text(report, number, labels["specialties"], _get(cells, index, "specialties"), 500, False)
        active = _flag(report, number, labels["active"], _get(cells, index, "active"))
        username = _get(cells, index, "username") or (f"u{cert_no}" if cert_no else "")
        if cert_no in seen_cert:
            report.error(number, labels["cert_no"], f"与第 {seen_cert[cert_no]} 行重复")
        if username in seen_user:
            report.error(number, labels["username"], f"账号与第 {seen_user[username]} 行重复")
        if report.error_count != before:
            continue
        seen_cert[cert_no], seen_user[username] = number, number
        _upsert_official(actor, number, report, cert_no=cert_no, name=name, department=department,
                         username=username, specialties=specialties or None, active=active)


def _upsert_official(actor, number, report, *, cert_no, name, department, username, specialties, active) -> None:
    labels = LABELS["officials"]
    user = db.session.scalar(select(User).where(User.cert_no == cert_no))
    if user is not None and not can_edit(actor, user.department_id):
        report.error(number, labels["cert_no"], "该执法证号属于其他部门的人员")
        return
    owner = db.session.scalar(select(User.id).where(User.username == username))
    if owner is not None and (user is None or owner != user.id):
        report.error(number, labels["username"], f"账号「{username}」已被其他人使用")
        return
    if user is None:
        db.session.add(User(username=username, display_name=name, password_hash=UNUSABLE_PASSWORD, cert_no=cert_no,
                            department_id=department.id, region_id=department.region_id, specialties=specialties,
                            active=active, roles=[UserRole(role="official")]))
        report.inserted += 1
        return
    values = {"display_name": name, "department_id": department.id, "region_id": department.region_id,
              "specialties": specialties, "active": active, "username": username}
    if all(getattr(user, k) == v for k, v in values.items()) and user.has_role("official"):
        report.unchanged += 1
        return
    for key, value in values.items():
        setattr(user, key, value)
    if not user.has_role("official"):
        user.roles.append(UserRole(role="official"))
    report.updated += 1


def _experts(actor, rows, index, report) -> None:
    labels = LABELS["experts"]
    regions = dict(db.session.execute(select(Region.code, Region.id)).all())
    seen = {}
    for number, cells in rows:
        before = report.error_count
        cert_no = _text(report, number, labels["cert_no"], _get(cells, index, "cert_no"), 40)
        name = _text(report, number, labels["name"], _get(cells, index, "name"), 100)
        field_ = _text(report, number, labels["field"], _get(cells, index, "field"), 100)
        organisation = _text(report, number, labels["organisation"], _get(cells, index, "organisation"), 200, False)
        region = _get(cells, index, "region_code")
        if region and region not in regions:
            report.error(number, labels["region_code"], f"「{region}」不是已登记的行政区划代码")
        active = _flag(report, number, labels["active"], _get(cells, index, "active"))
        if cert_no in seen:
            report.error(number, labels["cert_no"], f"与第 {seen[cert_no]} 行重复")
        if report.error_count != before:
            continue
        seen[cert_no] = number
        values = {"name": name, "field": field_, "organisation": organisation or None,
                  "region_id": regions.get(region), "active": active}
        expert = db.session.scalar(select(Expert).where(Expert.cert_no == cert_no))
        if expert is None:
            db.session.add(Expert(cert_no=cert_no, **values))
            report.inserted += 1
        elif all(getattr(expert, k) == v for k, v in values.items()):
            report.unchanged += 1
        else:
            for key, value in values.items():
                setattr(expert, key, value)
            report.updated += 1
