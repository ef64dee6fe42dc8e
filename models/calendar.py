"""Admin-maintained working-day calendar: day overrides and years whose schedule is confirmed.

chinese-calendar ships the State Council schedule only for the years it knows; an admin
enters the holidays and swapped working days (调休) of a new year here, then confirms
the year so deadlines in it stop being provisional.
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class CalendarOverride(Base):
    __tablename__ = "calendar_override"
    day: Mapped[date] = mapped_column(primary_key=True)
    working: Mapped[bool]
    note: Mapped[Optional[str]] = mapped_column(String(100))
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime]


class CalendarYear(Base):
    """A year whose holidays are fully entered: days without an override follow Monday–Friday, not provisional."""
    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(primary_key=True)
    confirmed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime]
