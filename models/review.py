"""Performance review (绩效考核): a campaign's closing figures and score, and the scoring weights in force."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Review(Base):
    """The supervisor's performance review (绩效考核) with the figures as they stood when closed."""
    __tablename__ = "review"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), unique=True)
    figures: Mapped[dict] = mapped_column(JSON)
    score: Mapped[Optional[float]]
    weights: Mapped[Optional[dict]] = mapped_column(JSON)
    comments: Mapped[str] = mapped_column(Text)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime]


class ReviewScheme(Base):
    """The supervisor's scoring weights for performance reviews; the newest row is in force."""
    __tablename__ = "review_scheme"
    id: Mapped[int] = mapped_column(primary_key=True)
    weights: Mapped[dict] = mapped_column(JSON)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime]
