"""代办: an official on leave lets a colleague of the same department see and complete their tasks.

A delegation covers whole Beijing dates, `starts_on` to `ends_on` inclusive. While it runs, the delegate's
inbox holds the principal's claimed and named tasks (services/workflow/tasks.py asks `principals_for`), and a
task completed that way records both: completed_by = the delegate, on_behalf_of = the principal, shown as
"X 代 Y". The principal's own access is unchanged. Revoked delegations are kept (revoked_at) for the record.
"""
from datetime import date

from sqlalchemy import select

from extensions import db
from models import Delegation, User
from services import audit
from services.errors import Forbidden, ValidationFailed
from services.org import scope
from services.workflow import clock
from services.lookup import get_or_404


def principals_for(user: User, today: date | None = None) -> list[int]:
    """Ids of the colleagues whose tasks `user` may do today."""
    today = today or clock.today()
    return list(db.session.scalars(select(Delegation.principal_id).join(User, User.id == Delegation.principal_id)
                                   .where(Delegation.delegate_id == user.id, Delegation.revoked_at.is_(None),
                                          Delegation.starts_on <= today, Delegation.ends_on >= today,
                                          User.department_id == user.department_id)))


def _may_manage(actor: User, principal: User) -> bool:
    if actor.id == principal.id:
        return True
    if actor.has_role("admin") and scope.covers(actor, principal.region_id):
        return True
    return actor.has_role("department_admin") and actor.department_id == principal.department_id


def delegate(actor: User, principal_id: int, delegate_username: str, starts_on: date | None,
             ends_on: date | None) -> Delegation:
    principal = get_or_404(User, principal_id, "人员不存在")
    if not _may_manage(actor, principal):
        raise Forbidden("只能为本人或本部门人员安排代办")
    colleague = db.session.scalar(select(User).where(User.username == (delegate_username or "").strip()))
    errors: dict[str, list[str]] = {}
    if colleague is None or not colleague.active or colleague.id == principal.id \
            or principal.department_id is None or colleague.department_id != principal.department_id:
        errors["delegate"] = ["代办人必须是同一部门的其他在岗人员"]
    if starts_on is None:
        errors["starts_on"] = ["请填写开始日期"]
    if ends_on is None:
        errors["ends_on"] = ["请填写结束日期"]
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = ["结束日期不能早于开始日期"]
    if errors:
        raise ValidationFailed(errors)
    row = Delegation(principal_id=principal.id, delegate_id=colleague.id, starts_on=starts_on, ends_on=ends_on,
                     created_by_id=actor.id, created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "org.delegation_create", "delegation", row.id, principal=principal.username,
                 delegate=colleague.username, starts_on=str(starts_on), ends_on=str(ends_on))
    db.session.commit()
    return row


def revoke(actor: User, delegation_id: int) -> Delegation:
    row = get_or_404(Delegation, delegation_id, "代办安排不存在")
    if not _may_manage(actor, row.principal):
        raise Forbidden("只能撤销本人或本部门人员的代办安排")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        audit.record(actor, "org.delegation_revoke", "delegation", row.id)
        db.session.commit()
    return row


def of_user(user: User) -> dict[str, list[Delegation]]:
    """Delegations given by and to `user`, newest first (the 代办 page)."""
    def rows(column):
        return list(db.session.scalars(select(Delegation).where(column == user.id)
                                       .order_by(Delegation.starts_on.desc(), Delegation.id.desc())))
    return {"given": rows(Delegation.principal_id), "received": rows(Delegation.delegate_id)}
