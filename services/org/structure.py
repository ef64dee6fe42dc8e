"""Regions and departments: create and edit them within the admin's subtree, by the division-code rules.

An admin administers the subtree of their own region (services/org/scope.py): they may add regions below
it and departments in it. Only a platform-wide admin (no region) adds a province. A region's code fixes its
place in the tree (domain/divisions.py), so editing a region changes its name only.
"""
from sqlalchemy import select

from domain import department_types, divisions
from extensions import db
from models import Department, Region, User
from services import audit
from services.errors import Forbidden, NotFound, ValidationFailed
from services.org import scope


def require_admin(actor: User | None) -> None:
    """`None` is the console (flask org/users commands): whoever runs them owns the server."""
    if actor is not None and not actor.has_role("admin"):
        raise Forbidden("只有系统管理员可以维护区划、部门和账号")


def regions(actor: User) -> list[Region]:
    """The actor's subtree, in code order (a parent's code sorts before its children's)."""
    return list(db.session.scalars(select(Region).where(scope.clause(actor, Region.id)).order_by(Region.code)))


def departments(actor: User) -> list[Department]:
    return list(db.session.scalars(select(Department).where(scope.clause(actor, Department.region_id))
                                   .order_by(Department.region_id, Department.code)))


def get_region(actor: User | None, region_id: int) -> Region:
    region = db.session.get(Region, region_id)
    if region is None or (actor is not None and not scope.covers(actor, region.id)):
        raise NotFound("区划不存在")
    return region


def get_department(actor: User | None, department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    if department is None or (actor is not None and not scope.covers(actor, department.region_id)):
        raise NotFound("部门不存在")
    return department


def region_id_by_code(code: str) -> int | None:
    """The region with this administrative division code, or None."""
    return db.session.scalar(select(Region.id).where(Region.code == code.strip()))


def region_problems(code: str, name: str, parent: Region | None) -> dict[str, list[str]]:
    """Field errors for a new region (also used by the org import)."""
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        errors["name"] = ["名称不能为空，且不超过 100 字"]
    try:
        divisions.check_parent(code, parent.code if parent else None)
    except divisions.DivisionError as exc:
        errors["code"] = [str(exc)]
    if "code" not in errors and db.session.scalar(select(Region.id).where(Region.code == code)) is not None:
        errors["code"] = [f"区划代码 {code} 已存在"]
    return errors


def create_region(actor: User | None, code: str, name: str, parent_code: str | None) -> Region:
    require_admin(actor)
    code, name, parent_code = (code or "").strip(), (name or "").strip(), (parent_code or "").strip() or None
    parent = db.session.scalar(select(Region).where(Region.code == parent_code)) if parent_code else None
    if parent_code and parent is None:
        raise ValidationFailed({"parent_code": [f"上级区划 {parent_code} 不存在"]})
    if actor is not None and not (scope.covers(actor, parent.id) if parent else scope.is_platform_wide(actor)):
        raise Forbidden("只能在您管辖的区划下新增区划")
    errors = region_problems(code, name, parent)
    if errors:
        raise ValidationFailed(errors)
    region = Region(code=code, name=name, level=divisions.level_of(code), parent=parent)
    db.session.add(region)
    db.session.flush()
    audit.record(actor, "org.region_create", "region", region.id, code=code, name=name, parent=parent_code)
    db.session.commit()
    return region


def rename_region(actor: User | None, region_id: int, name: str) -> Region:
    require_admin(actor)
    region = get_region(actor, region_id)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed({"name": ["名称不能为空，且不超过 100 字"]})
    before, region.name = region.name, name
    audit.record(actor, "org.region_update", "region", region.id, before=before, after=name)
    db.session.commit()
    return region


def department_problems(code: str, name: str, region: Region | None, kind: str | None,
                        existing: Department | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not code or len(code) > 40:
        errors["code"] = ["部门编码不能为空，且不超过 40 个字符"]
    elif db.session.scalar(select(Department.id).where(Department.code == code,
                                                       Department.id != (existing.id if existing else -1))):
        errors["code"] = [f"部门编码 {code} 已存在"]
    if not name or len(name) > 100:
        errors["name"] = ["名称不能为空，且不超过 100 字"]
    if region is None:
        errors["region_id"] = ["所属区划不存在"]
    if department_types.parse(kind or "") is None:
        errors["type"] = [f"未知的部门类型「{kind or ''}」"]
    return errors


def save_department(actor: User | None, *, code: str, name: str, region_id: int | None, kind: str,
                    department_id: int | None = None) -> Department:
    """Create (no department_id) or edit a department; its region must be in the actor's subtree."""
    require_admin(actor)
    existing = get_department(actor, department_id) if department_id else None
    code, name = (code or "").strip(), (name or "").strip()
    region = db.session.get(Region, region_id) if region_id else None
    if region is not None and actor is not None and not scope.covers(actor, region.id):
        region = None  # outside the subtree reads as unknown: no hint about other regions
    errors = department_problems(code, name, region, kind, existing)
    if errors:
        raise ValidationFailed(errors)
    values = {"code": code, "name": name, "region_id": region.id, "type": department_types.parse(kind)}
    if existing is None:
        existing = Department(**values)
        db.session.add(existing)
        db.session.flush()
        audit.record(actor, "org.department_create", "department", existing.id, **values)
    else:
        before = {k: getattr(existing, k) for k in values}
        for key, value in values.items():
            setattr(existing, key, value)
        audit.record(actor, "org.department_update", "department", existing.id, before=before, after=values)
    db.session.commit()
    return existing
