"""Enforcement documents (执法文书): numbered per issuing department, kind and year; a number is never reused."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class DocumentCounter(Base):
    """The last sequence issued for (department, kind, year); incremented inside the issuing transaction, so a
    rolled-back issuance gives its number back and the sequence has no gaps."""
    __tablename__ = "document_counter"
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_sequence: Mapped[int] = mapped_column(default=0)


class DocumentPrefix(Base):
    """The issuing authority's short name on its document numbers (机关简称, e.g. 蕲市监), set by an admin."""
    __tablename__ = "document_prefix"
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20))


class Document(Base):
    """An issued document: its number, the recorded data it renders (frozen at issuance) and that data's hash."""
    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("department_id", "kind", "year", "sequence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    year: Mapped[int]
    sequence: Mapped[int]
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"), index=True)
    inspection_id: Mapped[Optional[int]] = mapped_column(ForeignKey("inspection.id"), index=True)
    enterprise_id: Mapped[Optional[int]] = mapped_column(ForeignKey("enterprise.id"), index=True)
    template_version: Mapped[int] = mapped_column(default=1)
    data: Mapped[dict] = mapped_column(JSON)
    record_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="issued")     # issued / voided
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    voided_at: Mapped[Optional[datetime]]
    voided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    void_reason: Mapped[Optional[str]] = mapped_column(Text)
