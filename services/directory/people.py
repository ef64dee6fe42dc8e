"""Maintaining people outside the imports: experts' fields, and passwords (set by an admin, or changed by
the user). Imported officials get an unusable password, so setting one here is how they first log in."""
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from domain import passwords
from extensions import db
from models import Expert, Region, User
from services import audit, auth
from services.directory import listings as directory
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.org import accounts
from services.lookup import get_or_404

# Accounts a department admin may reset: plain officials of their own department, nothing more privileged.
_PRIVILEGED = ("admin", "department_admin", "supervisor", "designer")


def update_expert(actor: User, expert_id: int, *, name: str | None, field: str | None, organisation: str | None,
                  cert_no: str | None, region_id: str | int | None, active: bool) -> Expert:
    """Experts belong to no department: only admins maintain them."""
    expert = directory.get_expert(expert_id)
    directory.require_editor(actor)
    values = {"name": (name or "").strip(), "field": (field or "").strip(),
              "organisation": (organisation or "").strip() or None, "cert_no": (cert_no or "").strip(),
              "region_id": _region(region_id), "active": bool(active)}
    errors: dict[str, list[str]] = {}
    for key, label, size in (("name", "姓名", 100), ("field", "专业领域", 100), ("cert_no", "证件号", 40)):
        if not values[key]:
            errors[key] = [f"{label}不能为空"]
        elif len(values[key]) > size:
            errors[key] = [f"{label}不能超过 {size} 个字"]
    if values["organisation"] and len(values["organisation"]) > 200:
        errors["organisation"] = ["工作单位不能超过 200 个字"]
    if values["cert_no"] and db.session.scalar(select(Expert.id).where(
            Expert.cert_no == values["cert_no"], Expert.id != expert.id)):
        errors["cert_no"] = ["证件号已被其他专家使用"]
    if values["region_id"] == -1:
        errors["region_id"] = ["地区不存在"]
    if errors:
        raise ValidationFailed(errors)
    before = {key: getattr(expert, key) for key in values}
    for key, value in values.items():
        setattr(expert, key, value)
    changed = {key: [before[key], value] for key, value in values.items() if before[key] != value}
    audit.record(actor, "directory.expert_update", "expert", expert.id, changes=changed)
    db.session.commit()
    return expert


def open_expert_account(actor: User | None, expert_id: int, *, username: str, password: str) -> User:
    """An expert's login (role `expert`, in the expert's region): they see only the 会诊 tasks of the campaigns they
    were drawn for (services/stages/opinions.py) and sign their opinions. Admins only, as for other accounts."""
    expert = directory.get_expert(expert_id)
    if expert.user_id is not None:
        raise Conflict("该专家已有登录账号")
    region = db.session.get(Region, expert.region_id) if expert.region_id else None
    user = accounts.create_account(actor, username=username, password=password, roles=["expert"],
                                   display_name=expert.name, region_code=region.code if region else None)
    expert.user_id = user.id
    audit.record(actor, "directory.expert_account", "expert", expert.id, user_id=user.id)
    db.session.commit()
    return user


def _region(raw) -> int | None:
    """None for no region, -1 for an unknown one (reported as a field error)."""
    if raw in (None, ""):
        return None
    try:
        region_id = int(raw)
    except (TypeError, ValueError):
        return -1
    return region_id if db.session.get(Region, region_id) is not None else -1


def can_set_password(actor: User, target: User) -> bool:
    if actor.id == target.id:
        return False  # one's own password goes through change_password, which asks for the current one
    if actor.has_role("admin"):
        return True
    return (actor.has_role("department_admin") and target.department_id is not None
            and target.department_id == actor.department_id and not target.has_role(*_PRIVILEGED))


def set_password(actor: User, user_id: int, new: str, confirm: str) -> User:
    """An admin (any official) or a department admin (their own department's officials) sets a password."""
    target = directory.get_official(user_id, actor)
    if not can_set_password(actor, target):
        if actor.id == target.id:
            raise Forbidden("请在“修改密码”页面修改自己的密码")
        raise Forbidden("只有系统管理员或本部门管理员可以设置该人员的密码")
    _store(target, new or "", confirm or "")
    target.must_change_password = True  # set by someone else: the person chooses their own at next login
    auth.end_all_sessions(target, "password_set", actor=actor)  # whoever knew the old password is logged out
    audit.record(actor, "auth.password_set", "user", target.id, department_id=target.department_id)
    db.session.commit()
    return target


def change_password(actor: User, current: str, new: str, confirm: str) -> User:
    if not check_password_hash(actor.password_hash, current or ""):
        raise ValidationFailed({"current": ["当前密码不正确"]})
    if current == new:
        raise ValidationFailed({"new": ["新密码不能与当前密码相同"]})
    _store(actor, new or "", confirm or "")
    actor.must_change_password = False
    auth.end_all_sessions(actor, "password_change")  # the caller logs this browser in again under the new version
    audit.record(actor, "auth.password_change", "user", actor.id)
    db.session.commit()
    return actor


def _store(user: User, new: str, confirm: str) -> None:
    problems = passwords.problems(new, user.username)
    if problems:
        raise ValidationFailed({"new": problems}, "新密码不符合要求")
    if new != confirm:
        raise ValidationFailed({"confirm": ["两次输入的密码不一致"]}, "两次输入的密码不一致")
    user.password_hash = generate_password_hash(new)


def get_user(user_id: int) -> User:
    """Any account (officials, admins, designers, supervisors), for pages about the account itself."""
    return get_or_404(User, user_id, "用户不存在")


def expert_region(expert: Expert) -> Region | None:
    return db.session.get(Region, expert.region_id) if expert.region_id else None
