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
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, and_, exists, func, insert, or_, select, update

from extensions import db
from models import Enterprise, Industry, Region, User
from models.enterprise import CREDIT_CLASSES, STATUSES
from services import audit
from services.directory import history
from services.imports import people as import_people
from services.errors import Forbidden
from services.imports.files import ImportRefused, Source, open_source
from services.imports.rows import (COLUMNS, LABELS, MAX_REPORTED, REQUIRED, ImportReport, RowError, cell, check_uscc,
                                  text_value)

__all__ = ["ImportRefused", "ImportReport", "RowError", "KINDS", "run_import"]
KINDS = ("enterprises", "officials", "experts", "credit")
BATCH = 5_000


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
    report = ImportReport(kind, source.kind, source.encoding, dry_run=dry_run, valid_only=valid_only,
                          filename=filename or Path(path).name)
    try:
        index = _header_index(kind, source.header)
        rows = _tracked(source, report, progress)
        kinds = {"enterprises": _enterprises, "credit": _credit, "officials": import_people.officials,
                 "experts": import_people.experts}
        kinds[kind](actor, rows, index, report)
        if dry_run or (report.error_count and not valid_only):
            db.session.rollback()
        else:
            report.applied = True
            # Enterprises: the import row the versions point at, and the changes with ids and old/new values.
            audit.record(actor, f"directory.import_{kind}", "directory_import" if report.import_id else "import",
                         report.import_id or 0, file=report.filename,
                         rows=report.rows, inserted=report.inserted, updated=report.updated,
                         skipped=report.bad_rows, unknown=report.unknown_count,
                         changes=report.changes, changes_total=report.changes_total)
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


def _batches(rows, size: int = BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


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
        code = check_uscc(report, number, cell(cells, index, "uscc"))
        name = text_value(report, number, labels["name"], cell(cells, index, "name"), 200)
        address = text_value(report, number, labels["address"], cell(cells, index, "address"), 300, required=False)
        industry = cell(cells, index, "industry_code")
        if industry not in industries:
            report.error(number, labels["industry_code"], f"「{industry}」不在行业目录中")
        region = cell(cells, index, "region_code")
        if region not in regions:
            report.error(number, labels["region_code"], f"「{region}」不是已登记的行政区划代码")
        status = cell(cells, index, "status") or "存续"
        if status not in STATUSES:
            report.error(number, labels["status"], f"「{status}」应为 {'、'.join(STATUSES)} 之一")
        credit = cell(cells, index, "credit_class").upper()
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
    for batch in _batches(rows, BATCH):
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
        import_row = history.begin_import(actor, "enterprises", report.filename)
        report.import_id = import_row.id
        report.changes, report.changes_total = history.version_staged_changes(table, import_row, actor)
        db.session.execute(update(e).where(matched, differs).values({f: table.c[f] for f in fields}))
        db.session.execute(insert(e).from_select(["uscc", *fields], select(table.c.uscc, *[table.c[f] for f in fields])
                                                 .where(~exists().where(e.c.uscc == table.c.uscc))
                                                 .order_by(table.c.row_no)))
    _drop(table)


def _credit_rows(rows, index, report) -> Iterator[dict]:
    for number, cells in rows:
        code = check_uscc(report, number, cell(cells, index, "uscc"))
        credit = cell(cells, index, "credit_class").upper()
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
