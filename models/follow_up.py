"""Follow-up (后续监管): the rectification order itself, diagnosis outcomes per enterprise and the records beside it.

HandlingDecision keeps the DMN grade and suggestion next to what the lead department chose, so an
override and its reason stay visible. Transfers, credit commitment letters and service records are
the other follow-up measures of 后续监管服务.
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.enterprise import Enterprise
from models.inspection import Inspection

GRADES = ("A", "B", "C", "D")
# The kind of authority a transfer (移送) goes to, chosen when it is made: the police (两法衔接, a suspected
# crime), another administrative authority, or a judicial one (procuratorate, court).
AUTHORITY_KINDS = ("public_security", "administrative", "judicial")


class FollowUp(Base):
    """后续监管: a rectification order (with an optional re-inspection) and its closing.

    campaign_id is denormalised so per-campaign figures and closing need no join through inspection.
    """
    __tablename__ = "follow_up"
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # rectify
    deadline: Mapped[date]
    working_days: Mapped[Optional[int]]
    reinspect: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open / closed
    rectification: Mapped[Optional[str]] = mapped_column(Text)
    evidence: Mapped[Optional[str]] = mapped_column(Text)
    rectified: Mapped[Optional[bool]]
    rectified_at: Mapped[Optional[datetime]]
    reinspection: Mapped[Optional[str]] = mapped_column(Text)
    escalated_at: Mapped[Optional[datetime]]
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[Optional[datetime]]
    inspection: Mapped[Inspection] = relationship(back_populates="follow_ups")


class HandlingDecision(Base):
    __tablename__ = "handling_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    grade: Mapped[Optional[str]] = mapped_column(String(2))
    suggested: Mapped[str] = mapped_column(String(10))
    handling: Mapped[str] = mapped_column(String(10))
    override_reason: Mapped[Optional[str]] = mapped_column(Text)
    decision_version: Mapped[Optional[int]]  # the grade.dmn version that suggested it
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime]
    inspection: Mapped[Inspection] = relationship()
    enterprise: Mapped[Enterprise] = relationship()


class Transfer(Base):
    """移送: a finding handed to another authority (police, another bureau), which must acknowledge it."""
    __tablename__ = "transfer"
    __table_args__ = (Index("ix_transfer_campaign_status", "campaign_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    authority: Mapped[str] = mapped_column(String(200))
    authority_kind: Mapped[str] = mapped_column(String(20), default="administrative",
                                                server_default="administrative")  # AUTHORITY_KINDS
    reason: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(14), default="sent")  # sent / acknowledged
    sent_at: Mapped[datetime]
    acknowledged_at: Mapped[Optional[datetime]]
    acknowledged_by: Mapped[Optional[str]] = mapped_column(String(200))  # the receiving officer, from the receipt
    receipt_no: Mapped[Optional[str]] = mapped_column(String(100))
    # 两法衔接: the transfer letter's number (移送书号) and what the receiving authority (e.g. the police) did with it.
    transfer_no: Mapped[Optional[str]] = mapped_column(String(100))
    outcome: Mapped[Optional[str]] = mapped_column(Text)
    outcome_at: Mapped[Optional[datetime]]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    enterprise: Mapped[Enterprise] = relationship()


class CreditCommitment(Base):
    """信用承诺书: a letter the enterprise signs, attached to it."""
    __tablename__ = "credit_commitment"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    signed_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]


class ServiceRecord(Base):
    """送政策、送法律: what was delivered to the enterprise (防止只查不管、只管不服)."""
    __tablename__ = "service_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # policy / law / guidance
    content: Mapped[str] = mapped_column(Text)
    delivered_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]
