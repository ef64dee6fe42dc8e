"""Cases (立案) and transfers: the few fields a regulator tracks for follow-up and performance figures."""
from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

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
