"""Importing officials and experts: thousands of rows at most, so through the ORM, row by row."""
from sqlalchemy import select

from extensions import db
from models import Department, Expert, Region, User, UserRole
from services import auth
from services.directory.listings import can_edit
from services.imports.rows import LABELS, cell, flag, text_value

UNUSABLE_PASSWORD = "!imported"  # no hash matches it: an imported official cannot log in until an admin sets one


def officials(actor, rows, index, report) -> None:
    labels = LABELS["officials"]
    departments = {}
    for d in db.session.scalars(select(Department)):
        departments[d.code] = departments[d.name] = d
    seen_cert, seen_user = {}, {}
    for number, cells in rows:
        before = report.error_count
        cert_no = text_value(report, number, labels["cert_no"], cell(cells, index, "cert_no"), 40)
        name = text_value(report, number, labels["name"], cell(cells, index, "name"), 100)
        department = departments.get(cell(cells, index, "department"))
        if department is None:
            report.error(number, labels["department"], f"「{cell(cells, index, 'department')}」不是已登记的部门")
        elif not can_edit(actor, department.id):
            report.error(number, labels["department"], "部门管理员只能导入本部门的人员")
        specialties = text_value(report, number, labels["specialties"], cell(cells, index, "specialties"), 500, False)
        active = flag(report, number, labels["active"], cell(cells, index, "active"))
        username = cell(cells, index, "username") or (f"u{cert_no}" if cert_no else "")
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
    # A disable or a change of roles ends the person's sessions and tokens (the import runs as `actor`).
    ends = "disabled" if user.active and not active else ("roles_changed" if not user.has_role("official") else None)
    for key, value in values.items():
        setattr(user, key, value)
    if not user.has_role("official"):
        user.roles.append(UserRole(role="official"))
    if ends:
        auth.end_all_sessions(user, ends, actor=actor)
    report.updated += 1


def experts(actor, rows, index, report) -> None:
    labels = LABELS["experts"]
    regions = dict(db.session.execute(select(Region.code, Region.id)).all())
    seen = {}
    for number, cells in rows:
        before = report.error_count
        cert_no = text_value(report, number, labels["cert_no"], cell(cells, index, "cert_no"), 40)
        name = text_value(report, number, labels["name"], cell(cells, index, "name"), 100)
        field_ = text_value(report, number, labels["field"], cell(cells, index, "field"), 100)
        organisation = text_value(report, number, labels["organisation"], cell(cells, index, "organisation"), 200, False)
        region = cell(cells, index, "region_code")
        if region and region not in regions:
            report.error(number, labels["region_code"], f"「{region}」不是已登记的行政区划代码")
        active = flag(report, number, labels["active"], cell(cells, index, "active"))
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
