"""Diagnosis (检查情况会诊): the industry assessment after a campaign's results are published."""
from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Diagnosis(Base):
    """The industry assessment of 检查情况会诊."""
    __tablename__ = "diagnosis"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), unique=True)
    assessment: Mapped[str] = mapped_column(Text)
    # Follow-ups still open (rectifications, unacknowledged transfers): decremented as each closes,
    # so closing the campaign's follow-up stage is one row update whatever the campaign's size.
    open_follow_ups: Mapped[int] = mapped_column(default=0)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]
