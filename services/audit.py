"""Audit records: who changed what, when; an append-only hash chain.

`record()` only queues the entry on the session. When the transaction commits, the queued
entries are chained: the head row of `audit_chain_head` is updated first (a row lock on
PostgreSQL, the write lock on SQLite), which serializes appenders, then each entry gets the
next sequence number, the previous hash and its own hash. The chain append is the last
thing a transaction does, so the lock is held only for the commit: no other lock is taken
after it (no deadlock with instance or campaign locks), and being transaction-scoped it is
released by a rollback or by the database when a crashed process's connection drops.

Records are linked with an HMAC under AUDIT_HMAC_KEY, a key from the environment and never in
the database, so whoever administers the database cannot re-hash an edited record. The first
record under a new key is an `audit.key_rotated` record naming the old and new key ids; retired
keys stay in AUDIT_HMAC_PREVIOUS_KEYS so the records they made still verify. Records made before
the keyed chain keep their sha256-v1 scheme and verify under it.

`request_checkpoint()` asks for the chain head to be published once this transaction's records are
in (services/audit_checkpoints publishes them, and the worker once a day).
"""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from domain import audit_chain
from domain.audit_chain import normalise_detail
from domain.audit_verify import Checkpoint, Verification, walk
from extensions import db
from models import AuditChainHead, AuditCheckpoint, AuditRecord, Campaign, User
from services.workflow import clock

_PENDING = "audit_pending"
_CHECKPOINT = "audit_checkpoint"
_KEY_SHARED = "audit_key_shared"  # (model, id) rows this transaction already holds FOR KEY SHARE (or stronger)
KEY_ROTATED = "audit.key_rotated"
# Why a checkpoint was published: the worker's daily one, a draw's commitment, a publication of results,
# an operator's `flask audit checkpoint`.
CHECKPOINT_REASONS = ("daily", "draw_commitment", "publication", "manual")
__all__ = ["Checkpoint", "Verification", "record", "request_checkpoint", "verify"]


@dataclass(slots=True)
class Entry:
    """A record waiting for the commit: the audit_record row's columns, chained at the append. A plain object,
    not an AuditRecord: the ORM's instrumented construction and attribute sets would be spent on an object
    that is written through Core and never kept in the session."""
    at: datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: int
    campaign_id: int | None
    detail: dict
    seq: int | None = None
    prev_hash: str | None = None
    hash: str | None = None
    scheme: str | None = None
    key_id: str | None = None


def record(actor: User | None, action: str, object_type: str, object_id: int,
           campaign_id: int | None = None, **detail) -> Entry:
    entry = Entry(at=clock.now(), actor_id=actor.id if actor else None, action=action, object_type=object_type,
                  object_id=int(object_id), campaign_id=campaign_id, detail=normalise_detail(detail))
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
    checkpoint = session.info.pop(_CHECKPOINT, None)
    if not pending and not checkpoint:
        return
    session.flush()  # everything else first, so the chain lock is the last lock this transaction takes
    if pending:
        _hold_referenced_rows(session, pending)
    connection = session.connection()  # the chain's statements are Core: run on it (extensions.execute_core)
    head = connection.execute(_LOCK_HEAD).one_or_none()
    if head is None:
        raise RuntimeError("audit_chain_head has no row: run `flask --app app db upgrade`")
    key = current_key()
    kid = audit_chain.key_id(key)
    entries = list(pending or [])
    if entries and head.key_id != kid:
        # The first record under a new key says so, in the chain itself: which key ends, which begins.
        entries.insert(0, Entry(at=entries[0].at, actor_id=None, action=KEY_ROTATED, object_type="audit_chain",
                                object_id=1, campaign_id=None, detail={"from_key_id": head.key_id, "to_key_id": kid}))
    seq, prev = head.seq, head.hash
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash, entry.scheme, entry.key_id = seq, prev, audit_chain.KEYED, kid
        entry.hash = prev = audit_chain.keyed_hash(_fields(entry), key)
    if entries:
        _write(connection, entries, seq, prev, kid)
    if checkpoint:
        session.add(AuditCheckpoint(seq=seq, hash=prev, at=clock.now(), reason=checkpoint))


_head = AuditChainHead.__table__
# Built once (building a statement costs more CPU than running it). A no-op update takes the chain lock (row
# lock on PostgreSQL, write lock on SQLite) and reads the head.
_LOCK_HEAD = (update(_head).where(_head.c.id == 1).values(seq=_head.c.seq)
              .returning(_head.c.seq, _head.c.hash, _head.c.key_id))
_MOVE_HEAD = update(_head).where(_head.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"),
                                                         key_id=bindparam("new_key_id"))
_INSERT_RECORDS = insert(AuditRecord.__table__)
# PostgreSQL: the head's move rides in the records' INSERT (a data-modifying WITH runs exactly once, whether or not
# the INSERT reads it). Built once too: built per commit, it cost ~0.13 ms of construction and cache key. Each
# row carries the head's new values (the same in all): the batched INSERT binds them once.
_INSERT_RECORDS_MOVING_HEAD = (insert(AuditRecord.__table__)
                               .add_cte(_MOVE_HEAD.returning(_head.c.id).cte("moved_head"))
                               .returning(AuditRecord.__table__.c.id))


def _write(connection, entries: list[Entry], seq: int, head_hash: str, kid: str) -> None:
    """Move the head and insert the records: one INSERT for all of them (the ORM would insert one by one on
    SQLite to learn ids nobody reads); on PostgreSQL the head's UPDATE rides in the same statement, a round trip
    fewer per commit."""
    rows = [_row(entry) for entry in entries]
    head = {"new_seq": seq, "new_hash": head_hash, "new_key_id": kid}
    if connection.dialect.name == "postgresql":
        # Parameter sets with RETURNING: SQLAlchemy batches them into one multi-row INSERT ("insertmanyvalues").
        connection.execute(_INSERT_RECORDS_MOVING_HEAD, [{**row, **head} for row in rows])
        return
    connection.execute(_MOVE_HEAD, head)
    connection.execute(_INSERT_RECORDS, rows)


def request_checkpoint(reason: str) -> None:
    """Publish the chain head as it stands once this transaction's own records are appended (at its commit)."""
    if reason not in CHECKPOINT_REASONS:
        raise ValueError(f"unknown checkpoint reason {reason!r}")
    session = db.session()
    if session.get_transaction() is None:
        session.begin()
    session.info[_CHECKPOINT] = reason


def note_key_shared(model, row_id: int) -> None:
    """The transaction already holds this row's KEY SHARE lock (or a stronger one): the append need not
    take it again. Forgotten at the transaction's end, with the lock."""
    session = db.session()
    if session.get_transaction() is None:
        session.begin()
    session.info.setdefault(_KEY_SHARED, set()).add((model, row_id))


def current_key() -> bytes:
    return current_app.config["AUDIT_HMAC_KEY"].encode("utf-8")


def verification_keys() -> dict[str, bytes]:
    """The current key and the retired ones (AUDIT_HMAC_PREVIOUS_KEYS), by key id."""
    keys = [current_key()] + [k.encode("utf-8") for k in current_app.config["AUDIT_HMAC_PREVIOUS_KEYS"]]
    return {audit_chain.key_id(k): k for k in keys}


def _hold_referenced_rows(session: Session, pending: list[Entry]) -> None:
    """Take the foreign-key share locks the inserts will need *before* the chain lock.

    Inserting a record referencing campaign X needs FOR KEY SHARE on X. If another transaction
    holds X FOR UPDATE (the last-inspection check does) and then appends to the chain, taking
    the key-share lock while holding the chain lock would deadlock: wait here instead.
    (PostgreSQL only; SQLite has no row locks and ignores the clause.)
    """
    held = session.info.get(_KEY_SHARED, set())
    for model, ids in ((Campaign, {e.campaign_id for e in pending}), (User, {e.actor_id for e in pending})):
        ids = {i for i in ids if i is not None and (model, i) not in held}
        if ids:
            session.execute(select(model.id).where(model.id.in_(sorted(ids)))
                            .with_for_update(read=True, key_share=True))


@event.listens_for(Session, "after_transaction_end")
def _discard_pending(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back or closed: the change did not happen, nor its record
        session.info.pop(_CHECKPOINT, None)
        session.info.pop(_KEY_SHARED, None)


_COLUMNS = ("seq", "at", "actor_id", "action", "object_type", "object_id", "campaign_id", "detail", "prev_hash",
            "hash", "scheme", "key_id")


def _row(entry: Entry) -> dict:
    return {name: getattr(entry, name) for name in _COLUMNS}


def _fields(entry) -> dict:
    return {name: getattr(entry, name) for name in audit_chain.KEYED_FIELDS}


def verify(checkpoints: list[Checkpoint] = (), batch: int = 2000) -> Verification:
    """Walk the chain in sequence order; stop at the first missing, altered, re-linked or unverifiable record.

    With `checkpoints` (as published, read back from outside the database) the chain must also
    pass through every one of them: that catches a rewritten head or a chain recomputed whole.
    """
    row = db.session.get(AuditChainHead, 1)
    head = Checkpoint(row.seq, row.hash) if row is not None else None
    columns = [getattr(AuditRecord, f) for f in audit_chain.KEYED_FIELDS]
    rows = db.session.execute(select(AuditRecord.id, AuditRecord.hash, *columns)
                              .order_by(AuditRecord.seq).execution_options(yield_per=batch))
    return walk((r._asdict() for r in rows), head, verification_keys(), checkpoints)
