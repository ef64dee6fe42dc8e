"""Regions (a tree: 省 → 市 → 县/区 → 乡镇/街道), departments, people, their roles and delegations.

A user's authority covers the subtree of their region (`User.region_id`; NULL = the whole platform, the top
level): see services/org/scope.py, the one place that turns it into region ids.
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base

# screen: the board only (大屏); auditor: 纪检监察/督查, read-only over its regions (services/auditor.py),
# it may enter a draw's public value.
# expert: an outside specialist of the 专家库 (models/expert.py) giving 会诊 opinions on the campaigns they were drawn for.
ROLES = ("official", "department_admin", "designer", "supervisor", "admin", "screen", "auditor", "expert")


class Region(Base):
    __tablename__ = "region"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # GB/T 2260 level (domain/divisions.py): province / city / county / township.
    level: Mapped[str] = mapped_column(String(10), default="county")
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"), index=True)
    parent: Mapped[Optional["Region"]] = relationship(remote_side=[id])


class Department(Base):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    # domain/department_types.py: market_regulation, health, fire …, so regions match by kind.
    type: Mapped[str] = mapped_column(String(30), default="other", index=True)
    region: Mapped[Region] = relationship()


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id"), index=True)
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"))
    cert_no: Mapped[Optional[str]] = mapped_column(String(40), unique=True)
    specialties: Mapped[Optional[str]] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped by services.auth.end_all_sessions: a session cookie or token minted under an older version is dead.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # 执法证: an officer whose certificate has expired or is suspended may not inspect (never drawn).
    cert_valid_until: Mapped[Optional[date]]
    cert_suspended: Mapped[bool] = mapped_column(default=False)
    # Set when an admin resets the password: the next login goes to the change-password page first.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    department: Mapped[Optional[Department]] = relationship()
    region: Mapped[Optional[Region]] = relationship(foreign_keys=[region_id])
    roles: Mapped[list["UserRole"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def has_role(self, *names: str) -> bool:
        return any(r.role in names for r in self.roles)

    @property
    def role_names(self) -> list[str]:
        return sorted(r.role for r in self.roles)

    # Flask-Login protocol; kept here because it is about identity, not presentation.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Flask-Login stores this in the session cookie; the version in it lets the loader refuse old cookies.
        return f"{self.id}:{self.session_version}"


class UserRole(Base):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(30), primary_key=True)
    user: Mapped[User] = relationship(back_populates="roles")


class ApiToken(Base):
    """Bearer tokens for the JSON API; only the SHA-256 of the token is stored."""
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    # Unknown (None) for tokens issued before these columns existed.
    created_at: Mapped[Optional[datetime]]
    last_used_at: Mapped[Optional[datetime]]
    revoked_at: Mapped[Optional[datetime]]
    user: Mapped[User] = relationship()


class OfficerConflict(Base):
    """A declared conflict of interest: this officer must not inspect this enterprise."""
    __tablename__ = "officer_conflict"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), primary_key=True, index=True)
    reason: Mapped[Optional[str]] = mapped_column(String(200))
    declared_at: Mapped[datetime]


class Delegation(Base):
    """代办: while on leave, `principal` lets a colleague of the same department see and complete their tasks
    from `starts_on` to `ends_on` (inclusive, Beijing dates). Revoking sets `revoked_at`; rows are kept."""
    __tablename__ = "delegation"
    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    revoked_at: Mapped[Optional[datetime]]
    principal: Mapped[User] = relationship(foreign_keys=[principal_id])
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])
