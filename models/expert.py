"""The expert library (专家库): outside specialists a campaign may draw."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Expert(Base):
    __tablename__ = "expert"
    id: Mapped[int] = mapped_column(primary_key=True)
    cert_no: Mapped[str] = mapped_column(String(40), unique=True)  # ID/certificate number: the upsert key
    name: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(100), index=True)
    organisation: Mapped[Optional[str]] = mapped_column(String(200))
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # The expert's login (role `expert`): sees and signs only the 会诊 opinions of campaigns they were drawn for.
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), unique=True)


class ExpertConflict(Base):
    __tablename__ = "expert_conflict"
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), primary_key=True, index=True)
    reason: Mapped[Optional[str]] = mapped_column(String(200))
    declared_at: Mapped[datetime]
