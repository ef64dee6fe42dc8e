"""Cases (立案) and transfers: the few fields a regulator tracks for follow-up and performance figures."""
from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.org import Department

PROCEDURES = ("general", "summary")   # 一般程序 / 简易程序
CASE_STATUSES = ("open", "closed")


class Case(Base):
    __tablename__ = "enforcement_case"
    __table_args__ = (Index("ix_case_open_enterprise", "enterprise_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(60), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    matter_id: Mapped[Optional[int]] = mapped_column(ForeignKey("matter.id"))
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"), index=True)
    inspection_id: Mapped[Optional[int]] = mapped_column(ForeignKey("inspection.id"))
    procedure: Mapped[str] = mapped_column(String(10), default="general")
    status: Mapped[str] = mapped_column(String(10), default="open")
    penalty_amount: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))
    summary: Mapped[Optional[str]] = mapped_column(Text)
    opened_at: Mapped[datetime]
    closed_at: Mapped[Optional[datetime]]
    # A joint case (联合办案): the 会审 instance in which every involved department gives its opinion.
    joint_review_instance_id: Mapped[Optional[int]] = mapped_column(ForeignKey("workflow_instance.id"))


class CaseDepartment(Base):
    """A department involved in a joint case, and its 会审 opinion once given."""
    __tablename__ = "case_department"
    __table_args__ = (UniqueConstraint("case_id", "department_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    role: Mapped[str] = mapped_column(String(10))  # lead (the case's own department) / joint
    opinion: Mapped[Optional[str]] = mapped_column(Text)
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[Optional[datetime]]
    department: Mapped[Department] = relationship()
