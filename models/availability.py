"""Rows that keep the service available and its answers repeatable: completion keys and the shared clock.

A completion key records the outcome of one task completion under the key its client sent
(Idempotency-Key, or the web form's per-render key), written in the completion's own transaction:
a retry after a dropped connection finds the row exactly when the completion committed.
The clock setting is one row that every process (web workers, timer workers, the CLI) reads,
so an operator moves "now" for all of them at once.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class CompletionKey(Base):
    __tablename__ = "completion_key"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    key: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), index=True)
    result: Mapped[dict] = mapped_column(JSON)   # the answer the first request got (the API's task document)
    created_at: Mapped[datetime]


class ClockSetting(Base):
    """At most one row (id 1): the offset added to real time, who set it and why."""
    __tablename__ = "clock_setting"
    id: Mapped[int] = mapped_column(primary_key=True)
    offset_seconds: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[Optional[str]] = mapped_column(String(100))
    set_at: Mapped[datetime]
