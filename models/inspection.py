"""Joint inspections (进一次门、查多项事), their item results, publication and follow-up."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.campaign import Campaign
from models.catalogue import ChecklistItem
from models.enterprise import Enterprise
from models.org import Department, User

HANDLING_CLASSES = ("none", "rectify", "case", "transfer")


class Inspection(Base):
    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("campaign_id", "enterprise_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="assigned")  # assigned / submitted
    result_code: Mapped[Optional[str]] = mapped_column(String(10))
    problem_domain: Mapped[Optional[str]] = mapped_column(String(10))
    method: Mapped[Optional[str]] = mapped_column(String(40))
    summary: Mapped[Optional[str]] = mapped_column(Text)
    inspected_on: Mapped[Optional[date]]
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[Optional[datetime]]
    publication_due: Mapped[Optional[date]]
    published_at: Mapped[Optional[datetime]]
    handling: Mapped[Optional[str]] = mapped_column(String(10))
    handling_note: Mapped[Optional[str]] = mapped_column(Text)
    campaign: Mapped[Campaign] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    officers: Mapped[list["InspectionOfficer"]] = relationship(
        back_populates="inspection", order_by="InspectionOfficer.id", cascade="all, delete-orphan")
    item_results: Mapped[list["ItemResult"]] = relationship(
        back_populates="inspection", order_by="ItemResult.id", cascade="all, delete-orphan")
    follow_ups: Mapped[list["FollowUp"]] = relationship(back_populates="inspection", order_by="FollowUp.id")


class InspectionOfficer(Base):
    __tablename__ = "inspection_officer"
    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    inspection: Mapped[Inspection] = relationship(back_populates="officers")
    user: Mapped[User] = relationship()
    department: Mapped[Department] = relationship()


class ItemResult(Base):
    __tablename__ = "item_result"
    __table_args__ = (UniqueConstraint("inspection_id", "checklist_item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    checklist_item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    result: Mapped[str] = mapped_column(String(10))  # pass / fail / na
    note: Mapped[Optional[str]] = mapped_column(Text)
    inspection: Mapped[Inspection] = relationship(back_populates="item_results")
    checklist_item: Mapped[ChecklistItem] = relationship()


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


class Publication(Base):
    """The lead department's approval that publishes a campaign's results (公示)."""
    __tablename__ = "publication"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime]
    result_count: Mapped[int]
