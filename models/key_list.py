"""Key-object lists (重点监管对象名录库): a department's named lists of enterprises it watches closely.

Membership is never deleted: removing an enterprise closes its entry (removed_on, reason), and adding it
again opens a new entry, so the list's history is the entries themselves. A campaign may draw only from a
list's current members (定向, `CampaignKeyList`).
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.enterprise import Enterprise
from models.org import Department, User


class KeyList(Base):
    __tablename__ = "key_list"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    description: Mapped[Optional[str]] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    department: Mapped[Department] = relationship()
    entries: Mapped[list["KeyListEntry"]] = relationship(
        back_populates="key_list", order_by="KeyListEntry.id", cascade="all, delete-orphan")


class KeyListEntry(Base):
    """One stay of an enterprise on a list: from added_on until removed_on (None = still a member)."""
    __tablename__ = "key_list_entry"
    __table_args__ = (Index("ix_key_list_entry_list_open", "key_list_id", "removed_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key_list_id: Mapped[int] = mapped_column(ForeignKey("key_list.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    added_on: Mapped[date]
    added_reason: Mapped[str] = mapped_column(String(300))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    removed_on: Mapped[Optional[date]]
    removed_reason: Mapped[Optional[str]] = mapped_column(String(300))
    removed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    key_list: Mapped[KeyList] = relationship(back_populates="entries")
    enterprise: Mapped[Enterprise] = relationship()
    added_by: Mapped[User] = relationship(foreign_keys=[added_by_id])
    removed_by: Mapped[Optional[User]] = relationship(foreign_keys=[removed_by_id])


class CampaignKeyList(Base):
    """A list a campaign's draw uses, recorded before the draw and bound by its commitment: without a ratio the
    campaign draws only from the list's members (定向); with one, members whose class ratio is lower are drawn
    at this ratio instead (提高抽查比例), in a stratum of their own."""
    __tablename__ = "campaign_key_list"
    __table_args__ = (UniqueConstraint("campaign_id", "key_list_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    key_list_id: Mapped[int] = mapped_column(ForeignKey("key_list.id"))
    ratio: Mapped[Optional[str]] = mapped_column(String(10))  # percent as an exact decimal string; None = 定向
    attached_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    attached_at: Mapped[datetime]
    key_list: Mapped[KeyList] = relationship()
