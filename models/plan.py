"""The annual inspection plan (年度抽查计划), one entry per industry."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.catalogue import Industry, Matter
from models.org import Department, User

plan_partner = Table(
    "plan_partner",
    Base.metadata,
    Column("plan_entry_id", ForeignKey("plan_entry.id"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True),
)
plan_matter = Table(
    "plan_matter",
    Base.metadata,
    Column("plan_entry_id", ForeignKey("plan_entry.id"), primary_key=True),
    Column("matter_id", ForeignKey("matter.id"), primary_key=True),
)


class PlanEntry(Base):
    __tablename__ = "plan_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    industry_id: Mapped[int] = mapped_column(ForeignKey("industry.id"))
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    ratios: Mapped[dict] = mapped_column(JSON)  # credit class -> percent drawn
    # How the draw runs: mode, target filter, per-class minimum, reasons for 0% classes, exclusions,
    # extra industries/regions, experts (see services/draw_rules.py for the keys and their defaults).
    draw_settings: Mapped[Optional[dict]] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(40))
    timing: Mapped[str] = mapped_column(String(100))
    result_handling: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft / approved
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[Optional[datetime]]
    industry: Mapped[Industry] = relationship()
    lead_department: Mapped[Department] = relationship()
    partners: Mapped[list[Department]] = relationship(secondary=plan_partner, order_by="Department.id")
    matters: Mapped[list[Matter]] = relationship(secondary=plan_matter, order_by="Matter.id")
    approved_by: Mapped[Optional[User]] = relationship(foreign_keys=[approved_by_id])
