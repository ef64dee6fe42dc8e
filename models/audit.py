"""The audit trail: one row per state change, append-only and hash-chained.

Each record carries a gapless sequence number, the hash of the record before it and its
own hash (services/audit.py computes them); `audit_chain_head` holds the last sequence
number and hash, so deleting the newest records is caught too. Triggers refuse UPDATE and
DELETE on audit_record (PostgreSQL and SQLite); the same DDL runs from the migration and,
for schemas made by `create_all` (tests), from the table's after_create event.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class AuditRecord(Base):
    __tablename__ = "audit_record"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime]
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"), index=True)
    detail: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # How `hash` was made (domain.audit_chain): sha256-v1 for records made before the keyed chain,
    # hmac-sha256-v2 with the id of the key after. A record keeps its scheme for ever.
    scheme: Mapped[str] = mapped_column(String(20), server_default="sha256-v1")  # domain.audit_chain.LEGACY
    key_id: Mapped[Optional[str]] = mapped_column(String(16))


class AuditChainHead(Base):
    """One row (id 1): the chain's last sequence number, hash and key id. Appenders lock it (the chain sequencer)."""
    __tablename__ = "audit_chain_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[Optional[str]] = mapped_column(String(16))


class AuditCheckpoint(Base):
    """A chain head (seq, hash) as published at `at`: daily, at every draw commitment and every publication.

    Its worth is in the copies outside the database (the public page, the downloaded list): this
    table is where the application keeps what it has published, not the anchor itself.
    """
    __tablename__ = "audit_checkpoint"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(index=True)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(30))


GENESIS_HASH = "0" * 64

POSTGRES_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'audit_record is append-only (' || TG_OP || ' refused)',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record
FOR EACH ROW EXECUTE FUNCTION audit_record_append_only()""",
    """CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
FOR EACH STATEMENT EXECUTE FUNCTION audit_record_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_record
BEGIN SELECT RAISE(ABORT, 'audit_record is append-only (UPDATE refused)'); END""",
    """CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_record
BEGIN SELECT RAISE(ABORT, 'audit_record is append-only (DELETE refused)'); END""",
]
SEED_HEAD = f"INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '{GENESIS_HASH}')"

for _sql in POSTGRES_APPEND_ONLY:
    event.listen(AuditRecord.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))
for _sql in SQLITE_APPEND_ONLY:
    event.listen(AuditRecord.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
event.listen(AuditChainHead.__table__, "after_create", DDL(SEED_HEAD))
