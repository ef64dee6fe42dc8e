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
    # The directory filters one column at a time as often as the draw filters the whole scope. The scope
    # index covers the draw's candidate query (uscc in it; id is SQLite's rowid, INCLUDEd on PostgreSQL), so a
    # million-row scope is read from the index alone, each class's USCCs already in order.
    __table_args__ = (Index("ix_enterprise_scope", "industry_id", "region_id", "status", "credit_class", "uscc",
                            postgresql_include=["id"]),
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


class DirectoryImport(Base):
    """One applied import file: the versions it wrote point here, so history says which file changed what."""
    __tablename__ = "directory_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime]


class EnterpriseVersion(Base):
    """An enterprise's name, address and status from `valid_from` until the next version (检查对象名录 history).

    Written only when one of them changes: the first change of an enterprise also writes its values as they
    were before (valid_from = BASELINE), so an enterprise without versions has never changed and its current
    row is its whole history. Published results and draw records read the version valid at their time.
    """
    __tablename__ = "enterprise_version"
    __table_args__ = (Index("ix_enterprise_version_enterprise_valid", "enterprise_id", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[Optional[str]] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10))
    valid_from: Mapped[datetime]
    changed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    import_id: Mapped[Optional[int]] = mapped_column(ForeignKey("directory_import.id"))
