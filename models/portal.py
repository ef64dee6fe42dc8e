"""The enterprise's side (企业端): one-time login codes, and the outbox of messages sent to enterprises."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
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
