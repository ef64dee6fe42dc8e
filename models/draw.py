"""A double-random draw (双随机): what was drawn, from which snapshot, with which seed."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.enterprise import Enterprise


class Draw(Base):
    __tablename__ = "draw"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON)
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    seed_commitment: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str] = mapped_column(String(64))
    candidate_count: Mapped[int]
    drawn_at: Mapped[datetime]
    enterprises: Mapped[list["DrawnEnterprise"]] = relationship(
        back_populates="draw", order_by="DrawnEnterprise.position", cascade="all, delete-orphan")


class DrawnEnterprise(Base):
    __tablename__ = "drawn_enterprise"
    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draw.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    credit_class: Mapped[str] = mapped_column(String(1))
    position: Mapped[int]
    draw: Mapped[Draw] = relationship(back_populates="enterprises")
    enterprise: Mapped[Enterprise] = relationship()
