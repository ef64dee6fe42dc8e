"""What an enterprise asks of the departments through the portal, and what they answered.

RectificationClaim: "here is what we fixed", item by item, with its own evidence files (ClaimEvidence, stored
by hash like inspection evidence, but uploaded by the enterprise, not an officer). RecusalApplication: the
enterprise names an officer by certificate number; an accepted one creates the RecusalRequest the draw honours
(a pending or refused one must not bar anyone, which is why it is not a RecusalRequest itself).
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class RectificationClaim(Base):
    """企业整改申报: what the enterprise says it fixed; the department accepts it (closing the rectification
    through the follow-up flow) or returns it with reasons."""
    __tablename__ = "rectification_claim"
    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_up.id"), index=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    items: Mapped[list] = mapped_column(JSON, default=list)    # [{"item_id": …, "action": "what was done"}]
    status: Mapped[str] = mapped_column(String(10), default="submitted")  # submitted / accepted / returned
    submitted_at: Mapped[datetime]
    decided_at: Mapped[Optional[datetime]]
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    return_reason: Mapped[Optional[str]] = mapped_column(Text)


class ClaimEvidence(Base):
    """A photo or PDF the enterprise attached to a claim, stored outside the web root under its SHA-256."""
    __tablename__ = "claim_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("rectification_claim.id"), index=True)
    checklist_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("checklist_item.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    mime: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime]


class RecusalApplication(Base):
    """申请回避: the enterprise names an officer by certificate number; a department admin of that officer's
    department decides. Unknown certificate numbers are stored too (user_id empty) and answered the same way."""
    __tablename__ = "recusal_application"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    cert_no: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id"), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / accepted / rejected
    submitted_at: Mapped[datetime]
    decided_at: Mapped[Optional[datetime]]
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    response: Mapped[Optional[str]] = mapped_column(Text)
    recusal_request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("recusal_request.id"))
    enterprise = relationship("Enterprise")
    officer = relationship("User", foreign_keys=[user_id])


class CreditRepair(Base):
    """信用修复: after a rectification verified and closed, the enterprise applies; the campaign's lead
    department grants or refuses it with reasons. Exported with the department's repair decisions."""
    __tablename__ = "credit_repair"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_up.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / granted / refused
    submitted_at: Mapped[datetime]
    decided_at: Mapped[Optional[datetime]]
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    response: Mapped[Optional[str]] = mapped_column(Text)
    enterprise = relationship("Enterprise")


class SelfCheck(Base):
    """企业自查: the enterprise's own answers to its industry's checklist (a revision), item by item. Shown to
    the departments as context on the inspection task, never as an inspection result."""
    __tablename__ = "self_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("checklist_revision.id"))
    answers: Mapped[list] = mapped_column(JSON, default=list)   # [{"item_id", "result": pass/fail/na, "note"}]
    submitted_at: Mapped[datetime]


class SatisfactionRating(Base):
    """The enterprise's rating (1–5) and comment of an inspection once it closed; one per inspection.
    Aggregated per campaign into the performance review."""
    __tablename__ = "satisfaction_rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    score: Mapped[int]
    comment: Mapped[Optional[str]] = mapped_column(Text)
    submitted_at: Mapped[datetime]
