"""Complaints and reports (投诉举报): the exception to random selection.

An official registers a complaint against an enterprise; the responsible department triages it within a
number of working days into a targeted inspection (an inspection with `selection = "targeted"`, counted apart
from the random draws), a referral to another department, or closing it with reasons; the reply to the
complainant is recorded. The complainant's name and contact are never public.
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.catalogue import Matter
from models.enterprise import Enterprise
from models.inspection import Inspection
from models.org import Department, User

SOURCES = {"hotline": "12315 热线", "web": "网络平台", "letter": "来信", "visit": "来访", "transfer": "上级转办",
           "other": "其他"}
STATUSES = ("open", "targeted", "referred", "closed")

complaint_matter = Table(
    "complaint_matter",
    Base.metadata,
    Column("complaint_id", ForeignKey("complaint.id"), primary_key=True),
    Column("matter_id", ForeignKey("matter.id"), primary_key=True),
)


class Complaint(Base):
    __tablename__ = "complaint"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    source: Mapped[str] = mapped_column(String(20))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)  # responsible for triage
    content: Mapped[str] = mapped_column(Text)
    complainant: Mapped[Optional[str]] = mapped_column(String(100))
    contact: Mapped[Optional[str]] = mapped_column(String(100))
    received_on: Mapped[date]
    triage_due: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    registered_at: Mapped[datetime]
    escalated_at: Mapped[Optional[datetime]]
    decision_reason: Mapped[Optional[str]] = mapped_column(Text)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[Optional[datetime]]
    referred_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id"))
    inspection_id: Mapped[Optional[int]] = mapped_column(ForeignKey("inspection.id"))
    reply: Mapped[Optional[str]] = mapped_column(Text)
    replied_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    replied_at: Mapped[Optional[datetime]]
    enterprise: Mapped[Enterprise] = relationship()
    department: Mapped[Department] = relationship(foreign_keys=[department_id])
    referred_to: Mapped[Optional[Department]] = relationship(foreign_keys=[referred_to_id])
    inspection: Mapped[Optional[Inspection]] = relationship()
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])
    matters: Mapped[list[Matter]] = relationship(secondary=complaint_matter, order_by="Matter.id")
    attachments: Mapped[list["ComplaintAttachment"]] = relationship(
        back_populates="complaint", order_by="ComplaintAttachment.id", cascade="all, delete-orphan")


class ComplaintAttachment(Base):
    """A file received with the complaint: checked and stored as inspection evidence is (by content hash)."""
    __tablename__ = "complaint_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    mime: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime]
    complaint: Mapped[Complaint] = relationship(back_populates="attachments")
