"""Conflicts of interest (利害关系回避): the enterprises an officer or an expert must not be sent to.

One path for both kinds of person; `OFFICER` and `EXPERT` say which table holds their declarations, which
column names the person and how the audit trail words a declaration. Who may declare follows the person: for an
officer, the admins and the admins of the officer's department; an expert belongs to no department, so only the
admins. The draw reads the same tables to leave such pairs out (services/draw/inputs.py).
"""
from dataclasses import dataclass

from sqlalchemy import func, select

from extensions import db
from models import Enterprise, ExpertConflict, OfficerConflict, User
from services import audit
from services.directory import listings
from services.errors import ValidationFailed
from services.workflow import clock


@dataclass(frozen=True)
class Holder:
    """Whose conflicts: the table, the column naming the person, and the audit action and object type."""
    model: type
    owner: str
    action: str
    object_type: str


OFFICER = Holder(OfficerConflict, "user_id", "directory.conflict_declare", "user")
EXPERT = Holder(ExpertConflict, "expert_id", "directory.expert_conflict_declare", "expert")


def of(holder: Holder, owner_id: int) -> list[tuple]:
    """The person's declarations with their enterprises, oldest first."""
    model = holder.model
    return list(db.session.execute(select(model, Enterprise).join(Enterprise, Enterprise.id == model.enterprise_id)
                                   .where(getattr(model, holder.owner) == owner_id).order_by(model.declared_at)).all())


def counts(holder: Holder, owner_ids: list[int]) -> dict[int, int]:
    """How many enterprises each listed person must avoid (a listing page's column); absent means none."""
    if not owner_ids:
        return {}
    column = getattr(holder.model, holder.owner)
    return dict(db.session.execute(select(column, func.count()).where(column.in_(owner_ids)).group_by(column)).all())


def declare(actor: User, holder: Holder, owner_id: int, uscc: str, reason: str | None):
    """Record that the person must not be sent to the enterprise with this USCC; once per pair."""
    listings.require_editor(actor, _department_of(actor, holder, owner_id))
    enterprise = listings.find_by_uscc(uscc or "")
    if enterprise is None:
        raise ValidationFailed({"uscc": ["名录库中没有该统一社会信用代码的经营主体"]})
    if db.session.get(holder.model, (owner_id, enterprise.id)):
        raise ValidationFailed({"uscc": ["该利害关系已登记"]})
    conflict = holder.model(**{holder.owner: owner_id}, enterprise_id=enterprise.id,
                            reason=(reason or "").strip()[:200] or None, declared_at=clock.now())
    db.session.add(conflict)
    audit.record(actor, holder.action, holder.object_type, owner_id, enterprise_id=enterprise.id)
    db.session.commit()
    return conflict


def _department_of(actor: User, holder: Holder, owner_id: int) -> int | None:
    """The person's department (None for an expert); a person outside the actor's view is not found."""
    if holder is OFFICER:
        return listings.get_official(owner_id, actor).department_id
    listings.get_expert(owner_id)
    return None
