"""会诊意见: what each confirmed partner department and each drawn expert says about an enterprise with problems.

The lead department decides grade and handling (models.campaign.Diagnosis, HandlingDecision) with these in view;
an expert's opinion carries a signature: the SHA-256 of what was said, by whom and when (services/stages/opinions.py).
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.expert import Expert
from models.org import Department, User


class DiagnosisOpinion(Base):
    __tablename__ = "diagnosis_opinion"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id"))  # a partner's opinion
    expert_id: Mapped[Optional[int]] = mapped_column(ForeignKey("expert.id"))           # or an expert's
    opinion: Mapped[str] = mapped_column(Text)
    suggested_handling: Mapped[Optional[str]] = mapped_column(String(10))
    signature: Mapped[Optional[str]] = mapped_column(String(64))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]
    department: Mapped[Optional[Department]] = relationship()
    expert: Mapped[Optional[Expert]] = relationship()
    recorded_by: Mapped[User] = relationship()
