"""Audit records: who changed what, when, with before/after ids."""
from extensions import db
from models import AuditRecord, User
from services import clock


def record(actor: User | None, action: str, object_type: str, object_id: int,
           campaign_id: int | None = None, **detail) -> AuditRecord:
    entry = AuditRecord(
        at=clock.now(), actor_id=actor.id if actor else None, action=action,
        object_type=object_type, object_id=object_id, campaign_id=campaign_id, detail=detail,
    )
    db.session.add(entry)
    return entry
