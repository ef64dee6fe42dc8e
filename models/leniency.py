"""首违不罚 / 轻微免罚 granted: the record that an enterprise has had its one no-penalty decision for a matter."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class LeniencyGrant(Base):
    __tablename__ = "leniency_grant"
    __table_args__ = (Index("ix_leniency_grant_enterprise_matter", "enterprise_id", "matter_id", "granted_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id"))
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    kind: Mapped[str] = mapped_column(String(10))   # first_free / minor_free
    legal_basis: Mapped[str] = mapped_column(Text)  # the matter's basis as it stood when granted
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    granted_at: Mapped[datetime]
