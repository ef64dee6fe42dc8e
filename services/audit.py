"""Audit records: who changed what, when; an append-only hash chain.

`record()` only queues the entry on the session. When the transaction commits, the queued
entries are chained: the head row of `audit_chain_head` is updated first (a row lock on
PostgreSQL, the write lock on SQLite), which serializes appenders, then each entry gets the
next sequence number, the previous hash and its own hash. The chain append is the last
thing a transaction does, so the lock is held only for the commit: no other lock is taken
after it (no deadlock with instance or campaign locks), and being transaction-scoped it is
released by a rollback or by the database when a crashed process's connection drops.
"""
from dataclasses import dataclass

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from domain.audit_chain import FIELDS, normalise_detail, record_hash
from extensions import db
from models import AuditChainHead, AuditRecord, Campaign, User
from models.audit import GENESIS_HASH
from services.workflow import clock

_PENDING = "audit_pending"


def record(actor: User | None, action: str, object_type: str, object_id: int,
           campaign_id: int | None = None, **detail) -> AuditRecord:
    entry = AuditRecord(
        at=clock.now(), actor_id=actor.id if actor else None, action=action,
        object_type=object_type, object_id=int(object_id), campaign_id=campaign_id,
        detail=normalise_detail(detail),
    )
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # so that a rollback or close (after_transaction_end) discards the entry
    session.info.setdefault(_PENDING, []).append(entry)
    return entry


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint commit: the entries wait for the outer commit
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # everything else first, so the chain lock is the last lock this transaction takes
    _hold_referenced_rows(session, pending)
    head = session.execute(
        update(AuditChainHead).where(AuditChainHead.id == 1)
        .values(seq=AuditChainHead.seq + len(pending))
        .returning(AuditChainHead.seq, AuditChainHead.hash)
        .execution_options(synchronize_session=False)).one_or_none()
    if head is None:
        raise RuntimeError("audit_chain_head has no row: run `flask --app app db upgrade`")
    seq, prev = head.seq - len(pending), head.hash
    for entry in pending:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = record_hash(_fields(entry))
    session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(hash=prev)
                    .execution_options(synchronize_session=False))
    session.add_all(pending)


def _hold_referenced_rows(session: Session, pending: list[AuditRecord]) -> None:
    """Take the foreign-key share locks the inserts will need *before* the chain lock.

    Inserting a record referencing campaign X needs FOR KEY SHARE on X. If another transaction
    holds X FOR UPDATE (the last-inspection check does) and then appends to the chain, taking
    the key-share lock while holding the chain lock would deadlock: wait here instead.
    (PostgreSQL only; SQLite has no row locks and ignores the clause.)
    """
    for model, ids in ((Campaign, {e.campaign_id for e in pending}), (User, {e.actor_id for e in pending})):
        ids.discard(None)
        if ids:
            session.execute(select(model.id).where(model.id.in_(sorted(ids)))
                            .with_for_update(read=True, key_share=True))


@event.listens_for(Session, "after_transaction_end")
def _discard_pending(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back or closed: the change did not happen, nor its record


def _fields(entry) -> dict:
    return {name: getattr(entry, name) for name in FIELDS}


@dataclass
class Verification:
    ok: bool
    checked: int
    problem: str | None = None
    seq: int | None = None
    record_id: int | None = None


def verify(batch: int = 2000) -> Verification:
    """Walk the chain in sequence order; stop at the first missing, altered or re-linked record."""
    head = db.session.get(AuditChainHead, 1)
    if head is None:
        return Verification(False, 0, "审计链头记录缺失 (audit_chain_head row missing)")
    expected, prev, checked = 1, GENESIS_HASH, 0
    rows = db.session.execute(select(AuditRecord.id, *[getattr(AuditRecord, f) for f in FIELDS], AuditRecord.hash)
                              .order_by(AuditRecord.seq).execution_options(yield_per=batch))
    for row in rows:
        fields = row._asdict()
        if row.seq != expected:
            gap = f"{expected}" if row.seq == expected + 1 else f"{expected}–{row.seq - 1}"
            return Verification(False, checked, f"缺失记录 (missing record) seq {gap}", expected, None)
        if row.prev_hash != prev:
            return Verification(False, checked, f"链接断开 (prev_hash does not match record seq {expected - 1})",
                                row.seq, row.id)
        if record_hash(fields) != row.hash:
            return Verification(False, checked, "记录被篡改 (hash mismatch: record altered)", row.seq, row.id)
        prev, expected, checked = row.hash, expected + 1, checked + 1
    if head.seq != expected - 1:
        return Verification(False, checked, f"缺失记录 (missing record) seq {expected}–{head.seq}: "
                                            f"chain head expects {head.seq} records", expected, None)
    if head.hash != prev:
        return Verification(False, checked, "链头哈希不一致 (chain head hash differs from the last record)",
                            head.seq, None)
    return Verification(True, checked)
