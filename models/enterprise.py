"""The enterprise directory (检查对象名录库)."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.catalogue import Industry
from models.org import Region

STATUSES = ("存续", "注销", "吊销", "撤销", "迁出")
CREDIT_CLASSES = ("A", "B", "C", "D")


class Enterprise(Base):
    __tablename__ = "enterprise"
    # The directory filters one column at a time as often as the draw filters the whole scope.
    __table_args__ = (Index("ix_enterprise_scope", "industry_id", "region_id", "status", "credit_class"),
                      Index("ix_enterprise_region_class", "region_id", "credit_class"),
                      Index("ix_enterprise_credit_class", "credit_class"),
                      Index("ix_enterprise_status", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    legacy_code: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(200), index=True)
    industry_id: Mapped[int] = mapped_column(ForeignKey("industry.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    address: Mapped[Optional[str]] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="存续")
    credit_class: Mapped[str] = mapped_column(String(1))
    # The registered contact's mobile number: where the enterprise portal sends login codes and notices.
    contact_mobile: Mapped[Optional[str]] = mapped_column(String(20))
    industry: Mapped[Industry] = relationship()
    region: Mapped[Region] = relationship()


class RecusalRequest(Base):
    """An enterprise asks that a named officer or expert not inspect it (申请回避); honoured by the draw."""
    __tablename__ = "recusal_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    expert_id: Mapped[Optional[int]] = mapped_column(ForeignKey("expert.id"))
    reason: Mapped[str] = mapped_column(String(300))
    requested_at: Mapped[datetime]
