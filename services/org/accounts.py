"""Accounts: create, disable (their open work goes back to the pool), reset a password, certificates.

Authorization: an admin acts on accounts of their subtree; `actor=None` is the console (`flask users …`),
which is how a new bureau makes its first admin. The demo password is refused everywhere here, and in
production it cannot log in at all (services/auth.py).
"""
from datetime import date, timedelta

from sqlalchemy import delete, select
from werkzeug.security import generate_password_hash

from domain import passwords
from extensions import db
from models import ApiToken, Delegation, Department, HumanTask, Region, TaskCandidate, User, UserRole
from models.org import ROLES
from services import audit, auth
from services.lookup import first_or_404
from services.errors import Conflict, NotFound, ValidationFailed
from services.org import scope
from services.org.structure import require_admin
from services.workflow import clock, task_views

DEMO_PASSWORD = passwords.DEMO_PASSWORD
# The demo county's marker department and fixed accounts (demo/county.py): what a start-up check looks for.
DEMO_MARKER_DEPARTMENT = "scjg"
DEMO_ACCOUNTS = ("admin", "supervisor", "designer", "th_supervisor", "hg_supervisor", "scjg_admin", "scjg_01")
ROLE_NAMES = {"official": "执法人员", "department_admin": "部门管理员", "designer": "流程设计员",
              "supervisor": "联席会办公室", "admin": "系统管理员", "expert": "专家"}
_ROLE_ALIASES = {**{k: k for k in ROLES}, **{v: k for k, v in ROLE_NAMES.items()}, "监督员": "supervisor"}


def parse_role(value: str) -> str | None:
    return _ROLE_ALIASES.get((value or "").strip())


def password_problems(password: str, username: str) -> list[str]:
    found = passwords.problems(password, username)
    if password == DEMO_PASSWORD:
        found.append("不能使用演示密码")
    return found


def get_account(actor: User | None, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or (actor is not None and not _covers_account(actor, user)):
        raise NotFound("账号不存在")
    return user


def find_account(username: str) -> User:
    return first_or_404(select(User).where(User.username == (username or "").strip()), f"账号「{username}」不存在")


def accounts(actor: User) -> list[User]:
    query = select(User).order_by(User.username)
    if not scope.is_platform_wide(actor):
        query = query.where(scope.clause(actor, User.region_id))
    return list(db.session.scalars(query))


def _covers_account(actor: User, user: User) -> bool:
    return scope.covers(actor, user.region_id)


def create_account(actor: User | None, *, username: str, password: str, roles: list[str],
                   display_name: str | None = None, region_code: str | None = None,
                   department: str | None = None, cert_no: str | None = None,
                   cert_valid_until: date | None = None) -> User:
    """A new account. `department` is a department's code or name; the region defaults to the department's.
    Without region and department the account is platform-wide (only the console or a platform-wide admin)."""
    require_admin(actor)
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username or len(username) > 60 or any(c.isspace() for c in username):
        errors["username"] = ["账号不能为空、不能含空格，且不超过 60 个字符"]
    elif db.session.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = [f"账号「{username}」已存在"]
    role_keys = [parse_role(r) for r in roles]
    if not roles or None in role_keys:
        errors["roles"] = ["角色应为：" + "、".join(f"{k}（{v}）" for k, v in ROLE_NAMES.items())]
    problems = password_problems(password or "", username)
    if problems:
        errors["password"] = problems
    dept = None
    if department:
        dept = db.session.scalar(select(Department).where(
            (Department.code == department.strip()) | (Department.name == department.strip())))
        if dept is None:
            errors["department"] = [f"部门「{department}」不存在"]
    region = None
    if region_code:
        region = db.session.scalar(select(Region).where(Region.code == region_code.strip()))
        if region is None:
            errors["region"] = [f"区划代码 {region_code} 不存在"]
    if dept is not None and region is not None and region.id not in scope.ancestors(dept.region_id):
        errors["department"] = ["部门不在该账号的区划内"]
    if "official" in role_keys and dept is None and "department" not in errors:
        errors["department"] = ["执法人员必须属于一个部门"]
    if cert_no and db.session.scalar(select(User.id).where(User.cert_no == cert_no)) is not None:
        errors["cert_no"] = ["执法证号已被其他人员使用"]
    region_id = region.id if region else (dept.region_id if dept else None)
    if actor is not None and not errors and not scope.covers(actor, region_id):
        errors["region"] = ["只能在您管辖的区划内创建账号"]
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, display_name=(display_name or "").strip() or username,
                password_hash=generate_password_hash(password), department_id=dept.id if dept else None,
                region_id=region_id, cert_no=cert_no or None, cert_valid_until=cert_valid_until,
                roles=[UserRole(role=r) for r in dict.fromkeys(role_keys)])
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "org.account_create", "user", user.id, roles=sorted(set(role_keys)),
                 region_id=region_id, department_id=user.department_id)
    db.session.commit()
    return user


def disable_account(actor: User | None, user_id: int, reassign_to: str | None = None) -> dict:
    """Disable an account: it can no longer log in (and its sessions and tokens end); its open tasks go
    back to the department pool, or to a named colleague of the same department. Past work keeps the name."""
    require_admin(actor)
    user = get_account(actor, user_id)
    if actor is not None and actor.id == user.id:
        raise Conflict("不能停用自己的账号")
    if not user.active:
        raise Conflict("该账号已停用")
    colleague = None
    if reassign_to:
        colleague = db.session.scalar(select(User).where(User.username == reassign_to.strip()))
        if colleague is None or not colleague.active or colleague.id == user.id or \
                colleague.department_id is None or colleague.department_id != user.department_id:
            raise ValidationFailed({"reassign_to": ["接手人必须是同一部门的在岗人员"]})
    moved = _release_tasks(user, colleague)
    user.active = False
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    _end_sessions(user)
    audit.record(actor, "org.account_disable", "user", user.id, tasks=moved,
                 reassigned_to=colleague.username if colleague else None)
    db.session.commit()
    return {"tasks": moved, "reassigned_to": colleague}


def move_account(actor: User | None, user_id: int, *, department: str, region_code: str | None = None,
                 reassign_to: str | None = None) -> dict:
    """调岗: the official moves to another department (maybe of another region). Open work must not follow
    them into a department that does not own it, nor stay stranded in their name: without a colleague of
    the old department to take it over, the move is refused and the open tasks are listed; with one, the
    tasks go to the colleague (audited) and the official moves. Their running 代办 arrangements end."""
    require_admin(actor)
    user = get_account(actor, user_id)
    target, region = _move_target(actor, user, department, region_code)
    open_tasks = _open_task_ids(user)
    colleague = _colleague(user, reassign_to) if reassign_to else None
    if open_tasks and colleague is None:
        raise ValidationFailed({"reassign_to": [_open_work_message(open_tasks)]},
                               f"{user.display_name} 尚有 {len(open_tasks)} 件未办结任务，未调动")
    before = {"department": user.department.name if user.department else None,
              "region": user.region.code if user.region else None}
    moved = _release_tasks(user, colleague) if open_tasks else []
    ended = _end_delegations(user)
    user.department_id, user.region_id = target.id, region.id
    audit.record(actor, "org.account_move", "user", user.id, before=before,
                 after={"department": target.name, "region": region.code}, tasks=moved,
                 reassigned_to=colleague.username if colleague else None, delegations_ended=ended)
    db.session.commit()
    return {"tasks": moved, "reassigned_to": colleague, "department": target}


def _move_target(actor: User | None, user: User, department: str,
                 region_code: str | None) -> tuple[Department, Region]:
    wanted = (department or "").strip()
    target = db.session.scalar(select(Department).where((Department.code == wanted) | (Department.name == wanted))) \
        if wanted else None
    if target is None or (actor is not None and not scope.covers(actor, target.region_id)):
        raise ValidationFailed({"department": [f"部门「{wanted}」不存在或不在您的管辖区划内" if wanted
                                               else "请选择调入的部门"]})
    region = target.region
    if region_code and region_code.strip() != region.code:
        region = db.session.scalar(select(Region).where(Region.code == region_code.strip()))
        if region is None or region.id not in scope.ancestors(target.region_id) or \
                (actor is not None and not scope.covers(actor, region.id)):
            raise ValidationFailed({"region": ["区划应为调入部门所在的区划（或其上级且在您的管辖区划内）"]})
    if target.id == user.department_id and region.id == user.region_id:
        raise ValidationFailed({"department": ["调入部门与现部门相同"]})
    return target, region


def _colleague(user: User, username: str) -> User:
    colleague = db.session.scalar(select(User).where(User.username == username.strip()))
    if colleague is None or not colleague.active or colleague.id == user.id or \
            colleague.department_id is None or colleague.department_id != user.department_id:
        raise ValidationFailed({"reassign_to": ["接手人必须是原部门的其他在岗人员"]})
    return colleague


def open_tasks(actor: User | None, user_id: int) -> list[task_views.TaskView]:
    """The account's open work (claimed by them or naming them), described for the account page."""
    user = get_account(actor, user_id)
    ids = _open_task_ids(user)
    rows = list(db.session.scalars(select(HumanTask).where(HumanTask.id.in_(ids)).order_by(HumanTask.due_at)))
    return task_views.describe(rows)


def _open_work_message(task_ids: list[int]) -> str:
    rows = list(db.session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids)).order_by(HumanTask.due_at)))
    lines = []
    for view in task_views.describe(rows):
        due = clock.local_date(view.task.due_at).isoformat() if view.task.due_at else "无期限"
        about = "，".join(p for p in (view.about, view.campaign_title) if p)
        lines.append(f"{view.task.title}（{about}，期限 {due}）")
    return "尚有未办结任务，请指定原部门的接手人后再调动：" + "；".join(lines)


def _open_task_ids(user: User) -> list[int]:
    named = db.session.scalars(select(TaskCandidate.task_id).join(HumanTask).where(
        TaskCandidate.user_id == user.id, HumanTask.status == "open"))
    claimed = db.session.scalars(select(HumanTask.id).where(HumanTask.claimed_by_id == user.id,
                                                            HumanTask.status == "open"))
    return sorted(set(named) | set(claimed))


def _end_delegations(user: User) -> list[int]:
    """代办 is between colleagues of one department: a move ends those still running, given or received."""
    rows = list(db.session.scalars(select(Delegation).where(
        (Delegation.principal_id == user.id) | (Delegation.delegate_id == user.id),
        Delegation.revoked_at.is_(None), Delegation.ends_on >= clock.today())))
    for row in rows:
        row.revoked_at = clock.now()
    return [row.id for row in rows]


def _release_tasks(user: User, colleague: User | None) -> list[int]:
    """Open tasks claimed by or named for `user`: to the colleague, or back to the pool."""
    named = set(db.session.scalars(select(TaskCandidate.task_id).join(HumanTask).where(
        TaskCandidate.user_id == user.id, HumanTask.status == "open")))
    claimed = set(db.session.scalars(select(HumanTask.id).where(HumanTask.claimed_by_id == user.id,
                                                                HumanTask.status == "open")))
    for task_id in sorted(named):
        db.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task_id,
                                                       TaskCandidate.user_id == user.id))
        if colleague is not None and db.session.get(TaskCandidate, (task_id, colleague.id)) is None:
            db.session.add(TaskCandidate(task_id=task_id, user_id=colleague.id))
    for task_id in sorted(claimed):
        task = db.session.get(HumanTask, task_id)
        task.claimed_by_id = colleague.id if colleague else None
        audit.record(None, "task.release", "human_task", task.id, campaign_id=task.campaign_id,
                     from_user=user.username, to_user=colleague.username if colleague else None)
    return sorted(named | claimed)


def _end_sessions(user: User) -> None:
    """Every session and API token of the account ends now (the user loader also refuses inactive accounts)."""
    auth.end_all_sessions(user, "account_disabled")


def reset_password(actor: User | None, user_id: int, new: str) -> User:
    """An admin sets a new password; the user must change it at the next login."""
    require_admin(actor)
    user = get_account(actor, user_id)
    problems = password_problems(new or "", user.username)
    if problems:
        raise ValidationFailed({"password": problems}, "新密码不符合要求")
    user.password_hash = generate_password_hash(new)
    user.must_change_password = True
    auth.end_all_sessions(user, "password_reset", actor=actor)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    audit.record(actor, "org.password_reset", "user", user.id)
    db.session.commit()
    return user


def set_certificate(actor: User | None, user_id: int, *, cert_no: str | None, valid_until: date | None,
                    suspended: bool) -> User:
    """执法证: number, expiry date and suspension (a suspended or expired officer is never drawn)."""
    require_admin(actor)
    user = get_account(actor, user_id)
    cert_no = (cert_no or "").strip() or None
    if cert_no and db.session.scalar(select(User.id).where(User.cert_no == cert_no, User.id != user.id)):
        raise ValidationFailed({"cert_no": ["执法证号已被其他人员使用"]})
    before = {"cert_no": user.cert_no, "valid_until": str(user.cert_valid_until or ""),
              "suspended": user.cert_suspended}
    user.cert_no, user.cert_valid_until, user.cert_suspended = cert_no, valid_until, bool(suspended)
    audit.record(actor, "org.certificate_update", "user", user.id, before=before,
                 after={"cert_no": cert_no, "valid_until": str(valid_until or ""), "suspended": bool(suspended)})
    db.session.commit()
    return user


def expiring_certificates(actor: User, today: date, days: int = 30) -> list[User]:
    """Active officials of the actor's subtree whose 执法证 expires within `days` (or has expired)."""
    return list(db.session.scalars(
        select(User).join(UserRole).where(
            UserRole.role == "official", User.active.is_(True), User.cert_valid_until.is_not(None),
            User.cert_valid_until <= today + timedelta(days=days), scope.clause(actor, User.region_id))
        .order_by(User.cert_valid_until, User.username)))


def demo_leftovers() -> list[str]:
    """Why this database must not serve production: demo accounts that open with the demo password.

    Checking every account's hash would cost a key derivation per account (minutes for a province), so the
    start-up check looks at the demo county's fixed accounts; login refuses the demo password for every
    account in production anyway (services/auth.py)."""
    from werkzeug.security import check_password_hash
    found = []
    for user in db.session.scalars(select(User).where(User.username.in_(DEMO_ACCOUNTS), User.active.is_(True))):
        if check_password_hash(user.password_hash, DEMO_PASSWORD):
            found.append(f"账号 {user.username} 仍使用演示密码：请停用或用 `flask --app app users reset-password` 重置")
    if db.session.scalar(select(Department.id).where(Department.code == DEMO_MARKER_DEPARTMENT)) is not None \
            and found:
        found.insert(0, "数据库中有演示县的数据（demo load）：生产环境不应使用演示数据库")
    return found
