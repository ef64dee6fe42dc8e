"""Referrals (移交 / 吹哨报到): a finding in another department's domain handed over with its evidence."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.campaign import Campaign
from models.inspection import Evidence, Inspection
from models.org import Department, User

REFERRAL_STATUSES = ("open", "accepted", "returned")

referral_evidence = Table(
    "referral_evidence",
    Base.metadata,
    Column("referral_id", ForeignKey("referral.id"), primary_key=True),
    Column("evidence_id", ForeignKey("evidence.id"), primary_key=True),
)


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_to_status", "to_department_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    from_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    to_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    checklist_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("checklist_item.id"))
    finding: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    due_on: Mapped[date]
    due_provisional: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[Optional[datetime]]
    decision_note: Mapped[Optional[str]] = mapped_column(Text)   # how it is handled, or why it is returned
    escalated_at: Mapped[Optional[datetime]]
    instance_id: Mapped[Optional[int]] = mapped_column(ForeignKey("workflow_instance.id"))
    campaign: Mapped[Campaign] = relationship()
    inspection: Mapped[Inspection] = relationship()
    from_department: Mapped[Department] = relationship(foreign_keys=[from_department_id])
    to_department: Mapped[Department] = relationship(foreign_keys=[to_department_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])
    evidence: Mapped[list[Evidence]] = relationship(secondary=referral_evidence, order_by="Evidence.id")
