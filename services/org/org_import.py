"""Importing an org chart from one XLSX workbook: regions, departments, people (with 执法证 and roles).

Sheets are found by name: 区划 (代码, 名称, 上级代码), 部门 (部门编码, 名称, 区划代码, 部门类型),
人员 (账号, 姓名, 执法证号, 执法证有效期至, 部门编码, 区划代码, 角色, 在岗); a missing sheet is simply not
imported. The policy is the directory import's (services/imports): every bad row is reported; nothing is
written when any row is bad unless `valid_only`; `dry_run` checks and counts only. The file is sniffed and
its cells read the same way (services/imports/files.py), and the report is the same ImportReport, with
the sheet's name in front of the column.

Rows are checked against the database *and* the file's other good rows: a department may name a region
created three rows up. Regions are placed in parent-first order, so a sheet may list them in any order.
People imported here get no usable password (like the directory import): an admin sets one, or
`flask users create` makes accounts with a password.
"""
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from domain import department_types, divisions
from extensions import db
from models import Department, Region, User, UserRole
from services import audit
from services.errors import Forbidden
from services.imports.files import ImportRefused, _cell, sniff
from services.imports.people import UNUSABLE_PASSWORD
from services.imports.rows import ImportReport, flag
from services.org import scope
from services.org.accounts import ROLE_NAMES, parse_role
from services.org.structure import require_admin

SHEETS = {
    "regions": ("区划", {"code": ("代码", "区划代码", "code"), "name": ("名称", "name"),
                       "parent_code": ("上级代码", "上级区划代码", "parent_code")}),
    "departments": ("部门", {"code": ("部门编码", "编码", "code"), "name": ("名称", "部门名称", "name"),
                           "region_code": ("区划代码", "region_code"), "type": ("部门类型", "类型", "type")}),
    "people": ("人员", {"username": ("账号", "username"), "name": ("姓名", "name"), "cert_no": ("执法证号", "cert_no"),
                      "cert_valid_until": ("执法证有效期至", "有效期至", "cert_valid_until"),
                      "department": ("部门编码", "部门", "department"), "region_code": ("区划代码", "region_code"),
                      "roles": ("角色", "roles"), "active": ("在岗", "active")}),
}
REQUIRED = {"regions": ("code", "name"), "departments": ("code", "name", "region_code", "type"),
            "people": ("username", "name", "roles")}


class _Sheet:
    """One sheet's rows as dicts of the known columns, with its label for the report."""

    def __init__(self, kind: str, worksheet):
        self.kind, (self.label, columns) = kind, SHEETS[kind]
        values = worksheet.iter_rows(values_only=True)
        header = [_cell(v).lstrip("\ufeff").lower() for v in next(values, ())]
        self.index = {}
        for name, aliases in columns.items():
            found = next((header.index(a.lower()) for a in aliases if a.lower() in header), None)
            if found is not None:
                self.index[name] = found
        missing = [columns[n][0] for n in REQUIRED[kind] if n not in self.index]
        if missing:
            raise ImportRefused(f"工作表「{self.label}」缺少必需的列：{'、'.join(missing)}（第 1 行应为表头）")
        self.rows = []
        for number, cells in enumerate(values, start=2):
            texts = [_cell(v) for v in cells]
            if any(texts):
                self.rows.append((number, {n: texts[i] if i < len(texts) else "" for n, i in self.index.items()}))

    def column(self, name: str) -> str:
        return f"{self.label}·{SHEETS[self.kind][1][name][0]}"


def run(actor: User | None, path: Path, *, dry_run: bool = False, valid_only: bool = False) -> ImportReport:
    require_admin(actor)
    if actor is not None and not actor.has_role("admin"):
        raise Forbidden("只有系统管理员可以导入组织架构")
    path = Path(path)
    kind, _encoding = sniff(path, path.name)
    if kind != "xlsx":
        raise ImportRefused("组织架构只接受 XLSX 工作簿（含「区划」「部门」「人员」工作表）")
    sheets = _read(path)
    report = ImportReport("org", "xlsx", dry_run=dry_run, valid_only=valid_only)
    try:
        state = _Import(actor, report)
        for kind in ("regions", "departments", "people"):
            if kind in sheets:
                getattr(state, kind)(sheets[kind])
        if dry_run or (report.error_count and not valid_only):
            db.session.rollback()
        else:
            report.applied = True
            audit.record(actor, "org.import", "import", 0, file=path.name, rows=report.rows,
                         inserted=report.inserted, updated=report.updated, skipped=report.bad_rows)
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def _read(path: Path) -> dict[str, _Sheet]:
    from openpyxl import load_workbook
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise ImportRefused(f"XLSX 文件无法读取：{exc.__class__.__name__}") from exc
    try:
        by_label = {label: kind for kind, (label, _columns) in SHEETS.items()}
        sheets = {by_label[ws.title.strip()]: _Sheet(by_label[ws.title.strip()], ws)
                  for ws in workbook.worksheets if ws.title.strip() in by_label}
    finally:
        workbook.close()
    if not sheets:
        raise ImportRefused("工作簿中没有「区划」「部门」「人员」工作表")
    return sheets


class _Import:
    def __init__(self, actor: User | None, report: ImportReport):
        self.actor, self.report = actor, report
        self.by_code_regions = {r.code: r for r in db.session.scalars(select(Region))}
        self.by_code_departments = {d.code: d for d in db.session.scalars(select(Department))}

    def _in_scope(self, region: Region) -> bool:
        if self.actor is None:
            return True
        if region.id is None:  # created by this import: its nearest stored ancestor decides
            return region.parent is not None and self._in_scope(region.parent)
        return scope.covers(self.actor, region.id)

    # --- 区划 ---------------------------------------------------------------------------------
    def regions(self, sheet: _Sheet) -> None:
        report, rows, seen = self.report, {}, {}
        for number, row in sheet.rows:
            report.rows += 1
            code, name = row["code"], row["name"]
            parent = row.get("parent_code") or None
            try:
                divisions.level_of(code)
            except divisions.DivisionError as exc:
                report.error(number, sheet.column("code"), f"「{code}」{exc}")
                continue
            if code in seen:
                report.error(number, sheet.column("code"), f"区划代码 {code} 与第 {seen[code]} 行重复")
                continue
            if not name or len(name) > 100:
                report.error(number, sheet.column("name"), "名称不能为空，且不超过 100 字")
                continue
            seen[code] = number
            rows[code] = (number, name, parent if parent is not None else divisions.derived_parent(code))
        cyclic = set(divisions.find_cycle({c: p for c, (_n, _name, p) in rows.items()}))
        for code in sorted(cyclic):
            report.error(rows[code][0], sheet.column("parent_code"), f"上级关系成环：{code} 是自己的上级（经由 "
                         + " → ".join(sorted(cyclic)) + "）")
        pending = {c: v for c, v in rows.items() if c not in cyclic}
        while pending:  # parent first: each pass places the rows whose parent is now known
            placed = [c for c, (_n, _name, parent) in pending.items() if parent is None or parent in self.by_code_regions
                      or parent not in pending]
            if not placed:  # cannot happen once cycles are removed; never loop forever on a surprise
                break
            for code in sorted(placed, key=len):
                self._region(sheet, code, *pending.pop(code))

    def _region(self, sheet: _Sheet, code: str, number: int, name: str, parent_code: str | None) -> None:
        report = self.report
        parent = self.by_code_regions.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            report.error(number, sheet.column("parent_code"), f"上级区划 {parent_code} 不存在（库中和本文件中都没有）")
            return
        try:
            level = divisions.check_parent(code, parent_code)
        except divisions.DivisionError as exc:
            report.error(number, sheet.column("parent_code"), str(exc))
            return
        existing = self.by_code_regions.get(code)
        if existing is not None:
            if not self._in_scope(existing):
                report.error(number, sheet.column("code"), "该区划不在您的管辖范围内")
            elif existing.name == name and existing.parent_id == (parent.id if parent else None):
                report.unchanged += 1
            else:
                existing.name, existing.parent, existing.level = name, parent, level
                report.updated += 1
            return
        allowed = self._in_scope(parent) if parent is not None else (
            self.actor is None or scope.is_platform_wide(self.actor))
        if not allowed:
            report.error(number, sheet.column("parent_code"), "只能在您管辖的区划下新增区划")
            return
        region = Region(code=code, name=name, level=level, parent=parent)
        db.session.add(region)
        self.by_code_regions[code] = region
        report.inserted += 1

    # --- 部门 ---------------------------------------------------------------------------------
    def departments(self, sheet: _Sheet) -> None:
        report, seen = self.report, {}
        for number, row in sheet.rows:
            report.rows += 1
            before = report.error_count
            code, name, region_code, kind = row["code"], row["name"], row["region_code"], row["type"]
            if not code or len(code) > 40:
                report.error(number, sheet.column("code"), "部门编码不能为空，且不超过 40 个字符")
            elif code in seen:
                report.error(number, sheet.column("code"), f"部门编码 {code} 与第 {seen[code]} 行重复")
            if not name or len(name) > 100:
                report.error(number, sheet.column("name"), "名称不能为空，且不超过 100 字")
            region = self.by_code_regions.get(region_code)
            if region is None:
                report.error(number, sheet.column("region_code"), f"区划代码「{region_code}」不存在")
            elif not self._in_scope(region):
                report.error(number, sheet.column("region_code"), "该区划不在您的管辖范围内")
            key = department_types.parse(kind)
            if key is None:
                report.error(number, sheet.column("type"), f"未知的部门类型「{kind}」，应为："
                             + "、".join(department_types.TYPES.values()))
            if report.error_count != before:
                continue
            seen[code] = number
            existing = self.by_code_departments.get(code)
            if existing is None:
                self.by_code_departments[code] = Department(code=code, name=name, region=region, type=key)
                db.session.add(self.by_code_departments[code])
                report.inserted += 1
            elif (existing.name, existing.region, existing.type) == (name, region, key):
                report.unchanged += 1
            elif existing.region_id is not None and not self._in_scope(existing.region):
                report.error(number, sheet.column("code"), "该部门不在您的管辖范围内")
            else:
                existing.name, existing.region, existing.type = name, region, key
                report.updated += 1

    # --- 人员 ---------------------------------------------------------------------------------
    def people(self, sheet: _Sheet) -> None:
        report, seen_user, seen_cert = self.report, {}, {}
        for number, row in sheet.rows:
            report.rows += 1
            before = report.error_count
            username, name, cert_no = row["username"], row["name"], row.get("cert_no") or None
            if not username or len(username) > 60 or any(c.isspace() for c in username):
                report.error(number, sheet.column("username"), "账号不能为空、不能含空格，且不超过 60 个字符")
            elif username in seen_user:
                report.error(number, sheet.column("username"), f"账号与第 {seen_user[username]} 行重复")
            if not name or len(name) > 100:
                report.error(number, sheet.column("name"), "姓名不能为空，且不超过 100 字")
            if cert_no and cert_no in seen_cert:
                report.error(number, sheet.column("cert_no"), f"执法证号与第 {seen_cert[cert_no]} 行重复")
            roles = [r for r in row["roles"].replace("，", ",").replace("、", ",").split(",") if r.strip()]
            keys = [parse_role(r) for r in roles]
            if not roles or None in keys:
                report.error(number, sheet.column("roles"), f"角色「{row['roles']}」无效，应为："
                             + "、".join(ROLE_NAMES.values()))
            valid_until = self._date(sheet, number, row.get("cert_valid_until", ""))
            if "official" in keys and (not cert_no or valid_until is None):
                report.error(number, sheet.column("cert_valid_until"), "执法人员须填写执法证号和有效期")
            department = self.by_code_departments.get(row.get("department", "")) if row.get("department") else None
            if row.get("department") and department is None:
                report.error(number, sheet.column("department"), f"部门「{row['department']}」不存在")
            if "official" in keys and department is None and not row.get("department"):
                report.error(number, sheet.column("department"), "执法人员必须属于一个部门")
            region = self.by_code_regions.get(row.get("region_code", "")) if row.get("region_code") else None
            if row.get("region_code") and region is None:
                report.error(number, sheet.column("region_code"), f"区划代码「{row['region_code']}」不存在")
            region = region or (department.region if department is not None else None)
            if report.error_count == before and region is None:
                report.error(number, sheet.column("region_code"), "没有部门的账号须填写区划代码")
            elif report.error_count == before and not self._in_scope(region):
                report.error(number, sheet.column("region_code"), "该区划不在您的管辖范围内")
            active = flag(report, number, sheet.column("active"), row.get("active", ""))
            if report.error_count != before:
                continue
            seen_user[username] = number
            if cert_no:
                seen_cert[cert_no] = number
            self._person(sheet, number, username=username, name=name, cert_no=cert_no, valid_until=valid_until,
                         department=department, region=region, roles=list(dict.fromkeys(keys)), active=active)

    def _date(self, sheet: _Sheet, number: int, raw: str) -> date | None:
        if not raw:
            return None
        for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%Y%m%d"):
            try:
                return datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
        self.report.error(number, sheet.column("cert_valid_until"), f"「{raw}」不是日期（应为 2027-12-31）")
        return None

    def _person(self, sheet: _Sheet, number: int, *, username, name, cert_no, valid_until, department, region,
                roles, active) -> None:
        report = self.report
        db.session.flush()  # regions and departments of this file get their ids
        user = db.session.scalar(select(User).where(User.username == username))
        holder = db.session.scalar(select(User.id).where(User.cert_no == cert_no)) if cert_no else None
        if holder is not None and (user is None or holder != user.id):
            report.error(number, sheet.column("cert_no"), "执法证号已被其他人员使用")
            return
        values = {"display_name": name, "cert_no": cert_no, "cert_valid_until": valid_until,
                  "department_id": department.id if department is not None else None, "region_id": region.id,
                  "active": active}
        if user is None:
            db.session.add(User(username=username, password_hash=UNUSABLE_PASSWORD,
                                roles=[UserRole(role=r) for r in roles], **values))
            report.inserted += 1
            return
        ours = self._in_scope(user.region) if user.region_id else (
            self.actor is None or scope.is_platform_wide(self.actor))
        if not ours:
            report.error(number, sheet.column("username"), "该账号不在您的管辖范围内")
            return
        if all(getattr(user, k) == v for k, v in values.items()) and sorted(roles) == user.role_names:
            report.unchanged += 1
            return
        for key, value in values.items():
            setattr(user, key, value)
        user.roles = [r for r in user.roles if r.role in roles] + [UserRole(role=r) for r in roles
                                                                   if not user.has_role(r)]
        report.updated += 1
