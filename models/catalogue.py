"""Industries, regulatory matters and the per-industry checklist (一业一单)."""
from datetime import datetime
from typing import Optional

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.org import Department

industry_matter = Table(
    "industry_matter",
    Base.metadata,
    Column("industry_id", ForeignKey("industry.id"), primary_key=True),
    Column("matter_id", ForeignKey("matter.id"), primary_key=True),
)


class Industry(Base):
    __tablename__ = "industry"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    matters: Mapped[list["Matter"]] = relationship(secondary=industry_matter, order_by="Matter.id")


class Matter(Base):
    """One item of the 监管事项清单: a department's inspection matter with its legal basis."""
    __tablename__ = "matter"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(40))
    # What the enterprise must do (合规要求), told once in the compliance manual; optional because the
    # checklist items already say it question by question.
    requirement: Mapped[Optional[str]] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    # 首违不罚 / 轻微免罚: the legal basis allowing no penalty for this matter (e.g. an entry of the province's
    # 轻微违法行为不予处罚清单), one per line; empty = not listed. Granted once per enterprise within the period.
    leniency_basis: Mapped[Optional[str]] = mapped_column(Text)
    leniency_months: Mapped[Optional[int]]
    # When the matter entered the public 随机抽查事项清单 (set by the database on insert, whoever inserts it).
    published_at: Mapped[Optional[datetime]] = mapped_column(default=func.current_timestamp())
    department: Mapped[Department] = relationship()


class ChecklistRevision(Base):
    """Checklists are revised, never edited in place: a campaign keeps the revision it started with."""
    __tablename__ = "checklist_revision"
    __table_args__ = (UniqueConstraint("industry_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    industry_id: Mapped[int] = mapped_column(ForeignKey("industry.id"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime]
    note: Mapped[Optional[str]] = mapped_column(Text)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    items: Mapped[list["ChecklistItem"]] = relationship(
        back_populates="revision", order_by="ChecklistItem.position", cascade="all, delete-orphan")


class ChecklistItem(Base):
    __tablename__ = "checklist_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("checklist_revision.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    revision: Mapped[ChecklistRevision] = relationship(back_populates="items")
    matter: Mapped[Matter] = relationship()
