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
    # The region's template (services.documents.templates) it was rendered with; NULL = the built-in one.
    template_id: Mapped[Optional[int]] = mapped_column(ForeignKey("document_template.id"))
    template_version: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict] = mapped_column(JSON)
    record_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="issued")     # issued / voided
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    voided_at: Mapped[Optional[datetime]]
    voided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    void_reason: Mapped[Optional[str]] = mapped_column(Text)


class DocumentTemplate(Base):
    """One saved version of a region's template for a document kind: each save is a new row, none is changed,
    so an issued document renders with the very version it records."""
    __tablename__ = "document_template"
    __table_args__ = (UniqueConstraint("region_id", "kind", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[Optional[str]] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]


class DocumentSignature(Base):
    """The enterprise representative's signature on a document: drawn on the phone's signature pad or a photo of
    the signed paper, stored as evidence (its SHA-256 is printed on the PDF)."""
    __tablename__ = "document_signature"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    method: Mapped[str] = mapped_column(String(10))  # pad / photo
    signer_name: Mapped[str] = mapped_column(String(100))
    signed_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
