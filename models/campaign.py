"""A campaign: one pass of the closed loop for one industry (一业一查)."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, cast, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from models.base import COMMA, Base
from models.catalogue import ChecklistRevision, Industry, Matter
from models.org import Department, Region
from models.plan import PlanEntry

STAGES = (
    "plan", "initiation", "draw", "joint_inspection", "publication",
    "diagnosis", "follow_up", "review", "closed",
)

campaign_matter = Table(
    "campaign_matter",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaign.id"), primary_key=True),
    Column("matter_id", ForeignKey("matter.id"), primary_key=True),
)


class Campaign(Base):
    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # plan / special
    plan_entry_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plan_entry.id"))
    industry_id: Mapped[int] = mapped_column(ForeignKey("industry.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    checklist_revision_id: Mapped[int] = mapped_column(ForeignKey("checklist_revision.id"))
    ratios: Mapped[dict] = mapped_column(JSON)
    special_reason: Mapped[Optional[str]] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(20), default="initiation", index=True)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)  # active/completed/rejected
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    completed_at: Mapped[Optional[datetime]]
    # Inspections not yet submitted (final): +n when a draw opens cases, -n when a redraw withdraws them, -1 as
    # each is finalised (under this row's lock), so the last one is known without counting the campaign's rows.
    pending_inspections: Mapped[int] = mapped_column(default=0, server_default="0")
    plan_entry: Mapped[Optional[PlanEntry]] = relationship()
    industry: Mapped[Industry] = relationship()
    region: Mapped[Region] = relationship()
    lead_department: Mapped[Department] = relationship()
    checklist_revision: Mapped[ChecklistRevision] = relationship()
    matters: Mapped[list[Matter]] = relationship(secondary=campaign_matter, order_by="Matter.id")
    # The matters' ids as "3,1,2" (any order), deferred: what a cached form schema is keyed by, read with the
    # campaign in the same row instead of loading the matters.
    matter_ids: Mapped[Optional[str]] = column_property(
        select(func.aggregate_strings(cast(campaign_matter.c.matter_id, String), COMMA))
        .where(campaign_matter.c.campaign_id == id).scalar_subquery(), deferred=True)
    departments: Mapped[list["CampaignDepartment"]] = relationship(
        back_populates="campaign", order_by="CampaignDepartment.id", cascade="all, delete-orphan")
    stages: Mapped[list["CampaignStage"]] = relationship(
        back_populates="campaign", order_by="CampaignStage.id", cascade="all, delete-orphan")


class CampaignDepartment(Base):
    """A department's part in a campaign: the lead, or a partner that reports in (报到) or declines."""
    __tablename__ = "campaign_department"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    role: Mapped[str] = mapped_column(String(10))  # lead / partner
    status: Mapped[str] = mapped_column(String(12))  # invited / confirmed / declined
    reason: Mapped[Optional[str]] = mapped_column(Text)
    responded_at: Mapped[Optional[datetime]]
    campaign: Mapped[Campaign] = relationship(back_populates="departments")
    department: Mapped[Department] = relationship()


class CampaignStage(Base):
    """When a campaign entered and left each stage: the source of stage durations and SLAs."""
    __tablename__ = "campaign_stage"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    entered_at: Mapped[datetime]
    left_at: Mapped[Optional[datetime]]
    campaign: Mapped[Campaign] = relationship(back_populates="stages")
