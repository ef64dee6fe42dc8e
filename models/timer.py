"""Timers and the timer worker's heartbeat (notifications: models/notification.py).

Every deadline that must *do* something when it passes (an SLA escalation, an overdue
referral, a BPMN timer event) is a row here, so the worker picks due work with one
indexed query and marks each row fired exactly once.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Timer(Base):
    __tablename__ = "timer"
    __table_args__ = (
        Index("ix_timer_pending_due", "status", "due_at"),
        # "next timer due" per campaign on the dashboard, and one timer per subject (stage SLA)
        Index("ix_timer_campaign_status_due", "campaign_id", "status", "due_at"),
        Index("ix_timer_subject", "subject_type", "subject_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))            # handler name, see services.workflow.timers
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / fired / cancelled / failed
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"))
    instance_id: Mapped[Optional[int]] = mapped_column(ForeignKey("workflow_instance.id"), index=True)
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("human_task.id"), index=True)
    subject_type: Mapped[Optional[str]] = mapped_column(String(40))   # e.g. "referral", "follow_up"
    subject_id: Mapped[Optional[int]]
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    fired_at: Mapped[Optional[datetime]]
    error: Mapped[Optional[str]] = mapped_column(Text)


class WorkerHeartbeat(Base):
    """One row per timer worker process, touched every loop: /healthz tells a stalled worker by its age."""
    __tablename__ = "worker_heartbeat"
    worker_id: Mapped[str] = mapped_column(String(120), primary_key=True)   # host:pid:start
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]
    fired_total: Mapped[int] = mapped_column(default=0)
    stopped_at: Mapped[Optional[datetime]]
