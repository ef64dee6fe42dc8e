"""Themed actions (专项/板块, the 厦门 "1+X" model): one campaign's scope over several industries, areas and a
time window, with its own name and code. Kept beside the campaign table, which it points to."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.campaign import Campaign


class ThemedAction(Base):
    __tablename__ = "themed_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), unique=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    industry_ids: Mapped[list] = mapped_column(JSON)      # the first is the campaign's own (its checklist)
    region_ids: Mapped[list] = mapped_column(JSON)        # empty = the lead department's region
    area_name: Mapped[Optional[str]] = mapped_column(String(100))  # a named area: a street, a scenic zone …
    address_patterns: Mapped[list] = mapped_column(JSON)  # any of them in the address (e.g. a 乡镇's name)
    # Industry id (as text) -> the checklist revision its enterprises are inspected with (一业一单), fixed
    # when the action is requested so the checklist does not change under a running action.
    checklist_revision_ids: Mapped[dict] = mapped_column(JSON)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    public: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    campaign: Mapped[Campaign] = relationship()


class InvitationRule(Base):
    """Per region: does a department's 要约 (invitation to a joint action) wait for the coordinating office's
    approval, or is the office only notified? The nearest region up the tree with a row decides."""
    __tablename__ = "invitation_rule"
    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), unique=True)
    approval_required: Mapped[bool]
    set_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime]


class NamedArea(Base):
    """A named area (a street, a scenic zone, a 板块): a list of regions or address keywords, kept by a region's
    departments so themed actions can reuse it. An action copies the area's scope when it is requested."""
    __tablename__ = "named_area"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)  # whose area it is
    region_ids: Mapped[list] = mapped_column(JSON)
    address_patterns: Mapped[list] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
