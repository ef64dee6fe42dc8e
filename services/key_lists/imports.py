"""Import a key-object list's members from XLSX or CSV, through the directory imports' reader and checks.

Columns: 统一社会信用代码 (required), 列入理由, 列入日期 (optional: the file's default reason, today).
All or nothing, as every import (services/imports/batch.py): one bad row — an invalid code, a code not in
the directory of the importer's region, a date in the future — and nothing is stored; the report lists
every bad row. An enterprise already on the list is left as it is (counted unchanged).
"""
from datetime import date
from pathlib import Path

from sqlalchemy import select

from extensions import db
from models import Enterprise, KeyListEntry, User
from services import audit
from services.imports.files import ImportRefused, open_source
from services.imports.rows import ImportReport, cell, check_uscc, text_value
from services.key_lists import lists
from services.org import scope
from services.workflow import clock

COLUMNS = {"uscc": ("统一社会信用代码", "信用代码", "uscc"), "reason": ("列入理由", "理由", "reason"),
           "added_on": ("列入日期", "日期", "added_on")}
DEFAULT_REASON = "批量导入"


def import_members(actor: User, list_id: int, path: Path, filename: str | None = None) -> ImportReport:
    key_list = lists.get_managed(actor, list_id)
    source = open_source(Path(path), filename)
    report = ImportReport("key_list", source.kind, source.encoding, filename=filename or Path(path).name)
    try:
        index = _header_index(source.header)
        seen: dict[int, int] = {}
        rows = [row for row in (_checked(actor, number, cells, index, report, seen) for number, cells in source.rows
                                if any(c.strip() for c in cells)) if row]
        if report.error_count:
            db.session.rollback()
            return report
        current = set(db.session.scalars(select(KeyListEntry.enterprise_id).where(
            KeyListEntry.key_list_id == key_list.id, KeyListEntry.removed_on.is_(None))))
        for enterprise_id, reason, on in rows:
            if enterprise_id in current:
                report.unchanged += 1
                continue
            db.session.add(KeyListEntry(key_list_id=key_list.id, enterprise_id=enterprise_id, added_on=on,
                                        added_reason=reason, added_by_id=actor.id))
            report.inserted += 1
        report.applied = True
        audit.record(actor, "key_list.import", "key_list", key_list.id, file=report.filename, rows=report.rows,
                     inserted=report.inserted, unchanged=report.unchanged)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        source.close()
    return report


def _header_index(header: list[str]) -> dict[str, int]:
    normalized = [h.strip().lstrip("\ufeff").lower() for h in header]
    index = {name: normalized.index(alias.lower()) for name, aliases in COLUMNS.items()
             for alias in reversed(aliases) if alias.lower() in normalized}
    if "uscc" not in index:
        raise ImportRefused("缺少必需的列：统一社会信用代码（第 1 行应为表头）")
    return index


def _checked(actor: User, number: int, cells: list[str], index: dict, report: ImportReport, seen: dict[int, int]):
    """(enterprise id, reason, date) of a good row; None after reporting each problem of a bad one."""
    report.rows += 1
    before = report.error_count
    code = check_uscc(report, number, cell(cells, index, "uscc"))
    reason = text_value(report, number, "列入理由", cell(cells, index, "reason"), lists.REASON_LIMIT, required=False)
    on = _date(report, number, cell(cells, index, "added_on"))
    enterprise_id = None
    if code is not None:
        enterprise = db.session.execute(select(Enterprise.id, Enterprise.region_id).where(
            Enterprise.uscc == code.code)).first()
        if enterprise is None or not scope.covers(actor, enterprise.region_id):
            report.error(number, "统一社会信用代码", f"名录库中没有您管辖区域内代码为 {code.code} 的经营主体")
        elif enterprise.id in seen:
            report.error(number, "统一社会信用代码", f"{code.code} 与第 {seen[enterprise.id]} 行重复")
        else:
            enterprise_id, seen[enterprise.id] = enterprise.id, number
    if report.error_count > before:
        return None
    return enterprise_id, reason or DEFAULT_REASON, on


def _date(report: ImportReport, number: int, raw: str) -> date | None:
    if not raw:
        return clock.today()
    try:
        value = date.fromisoformat(raw[:10])
    except ValueError:
        report.error(number, "列入日期", f"「{raw}」不是 YYYY-MM-DD 格式的日期")
        return None
    if value > clock.today():
        report.error(number, "列入日期", "日期不能晚于今天")
        return None
    return value
