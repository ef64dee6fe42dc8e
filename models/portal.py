"""The enterprise's side (企业端): one-time login codes, the outbox of messages to enterprises, objections."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class LoginCode(Base):
    """A login code asked for a USCC. Rows exist for unknown USCCs too (same work either way, and the per-USCC
    rate limit counts them); only the keyed hash of the code is kept, never the code."""
    __tablename__ = "login_code"
    __table_args__ = (Index("ix_login_code_uscc_created", "uscc", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18))
    enterprise_id: Mapped[Optional[int]] = mapped_column(ForeignKey("enterprise.id"))
    code_hash: Mapped[str] = mapped_column(String(64))
    client: Mapped[Optional[str]] = mapped_column(String(64))   # the requesting address, for the per-address limit
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[Optional[datetime]]


class OutboxMessage(Base):
    """A message to an enterprise's registered contact, sent through a channel (sms, webhook, console) by the
    outbox; the officials' UI shows what was sent and whether it was delivered."""
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_status_created", "status", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[Optional[int]] = mapped_column(ForeignKey("enterprise.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))        # login_code, rectification_order, objection_outcome …
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / sent / failed
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    sent_at: Mapped[Optional[datetime]]
    error: Mapped[Optional[str]] = mapped_column(String(300))


class Objection(Base):
    """An enterprise's objection (异议/申诉) to its published result, within the publication window. Decided by
    the lead department through a small `objection` process: upheld (result stands), corrected (through the
    correction flow: a new published revision, 已更正 on /public/), or rejected with reasons."""
    __tablename__ = "objection"
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))     # who decides: the lead
    item_ids: Mapped[list] = mapped_column(JSON, default=list)                  # checklist items objected to
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")            # open/upheld/corrected/rejected
    due_on: Mapped[date]
    instance_id: Mapped[Optional[int]] = mapped_column(ForeignKey("workflow_instance.id"))
    created_at: Mapped[datetime]
    decided_at: Mapped[Optional[datetime]]
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    response: Mapped[Optional[str]] = mapped_column(Text)


class ObjectionEvidence(Base):
    """A photo or PDF the enterprise attached to its objection (same checks and storage as inspection evidence:
    services/stages/evidence.py), stored outside the web root under its SHA-256."""
    __tablename__ = "objection_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objection.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    mime: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime]
