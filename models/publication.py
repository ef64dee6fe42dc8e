"""Publication (公示): the lead department's approval that publishes a campaign's results."""
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Publication(Base):
    """The lead department's approval that publishes a campaign's results (公示)."""
    __tablename__ = "publication"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime]
    result_count: Mapped[int]
