"""A double-random draw (双随机): its commitment, snapshot, seed, outcome, and redraw requests.

Every attempt is kept: a failed draw (rules not met) and a draw superseded by an approved
redraw stay on record and public, so nobody can quietly draw again until they like the list.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.enterprise import Enterprise
from models.org import User

DRAW_STATUSES = ("committed", "drawn", "failed", "superseded")


class Draw(Base):
    __tablename__ = "draw"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="drawn")
    mode: Mapped[str] = mapped_column(String(12), default="stratified")
    params: Mapped[dict] = mapped_column(JSON)
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    # zlib-compressed canonical JSON {class: [sorted USCCs]}: what anyone recomputes the draw from
    snapshot: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    people: Mapped[Optional[dict]] = mapped_column(JSON)  # officers, experts and who is excluded for whom
    commitment_doc: Mapped[Optional[dict]] = mapped_column(JSON)
    commitment: Mapped[Optional[str]] = mapped_column(String(64))
    seed_commitment: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str] = mapped_column(String(64))
    candidate_count: Mapped[int]
    # v3 only: the public value the seed is derived from, entered by an auditor after the commitment:
    # {"value", "drawn_on", "entered_by_id", "entered_at"}; None while the draw waits for it.
    beacon: Mapped[Optional[dict]] = mapped_column(JSON)
    report: Mapped[Optional[dict]] = mapped_column(JSON)  # exclusions per reason, sizes, warnings
    failure: Mapped[Optional[str]] = mapped_column(Text)
    supersedes_id: Mapped[Optional[int]] = mapped_column(ForeignKey("draw.id"))
    committed_at: Mapped[Optional[datetime]]
    drawn_at: Mapped[Optional[datetime]]  # also when a draw failed; None while only committed
    enterprises: Mapped[list["DrawnEnterprise"]] = relationship(
        back_populates="draw", order_by="DrawnEnterprise.position", cascade="all, delete-orphan")


class SeedContribution(Base):
    """A participating department's share of a v3 draw's seed: the SHA-256 it commits at report-in (the
    value stays with the department), bound into the draw's commitment, and the value it reveals after that
    commitment and before the public value's date (domain/draw_v3.py: contribution_hash, derive_seed)."""
    __tablename__ = "seed_contribution"
    __table_args__ = (UniqueConstraint("campaign_id", "department_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    commitment: Mapped[str] = mapped_column(String(64))
    committed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    committed_at: Mapped[datetime]
    value: Mapped[Optional[str]] = mapped_column(String(200))  # None until revealed
    revealed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    revealed_at: Mapped[Optional[datetime]]


class DrawnEnterprise(Base):
    __tablename__ = "drawn_enterprise"
    # The pair, not draw_id alone: a completion looks up when its enterprise was drawn (Inspection.drawn_at).
    __table_args__ = (Index("ix_drawn_enterprise_draw_id_enterprise_id", "draw_id", "enterprise_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draw.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    credit_class: Mapped[str] = mapped_column(String(1))
    position: Mapped[int]
    officers: Mapped[Optional[list]] = mapped_column(JSON)  # [[department_id, user_id], …] in draw order
    experts: Mapped[Optional[list]] = mapped_column(JSON)   # [expert_id, …]
    draw: Mapped[Draw] = relationship(back_populates="enterprises")
    enterprise: Mapped[Enterprise] = relationship()


class RedrawRequest(Base):
    """A redraw needs a recorded reason from the lead department and a supervisor's approval."""
    __tablename__ = "redraw_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draw.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / approved / rejected
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[Optional[datetime]]
    decision_note: Mapped[Optional[str]] = mapped_column(Text)
    new_draw_id: Mapped[Optional[int]] = mapped_column(ForeignKey("draw.id"))
    draw: Mapped[Draw] = relationship(foreign_keys=[draw_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])
