"""Deployed process definitions, persisted instances and the human-task index.

The workflow JSON is the engine's state; the human_task rows are what inboxes,
deadlines and dashboards query, so nothing outside the runtime deserializes a workflow.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, cast, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from models.base import COMMA, Base
from models.org import Region, User


class ProcessDefinition(Base):
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(200))
    deployed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    deployed_at: Mapped[datetime]
    change_note: Mapped[Optional[str]] = mapped_column(Text)  # the designer's 变更说明; NULL for bundled models
    # The region this version is deployed for (its subtree inherits it); NULL = the whole platform. Version
    # numbers stay one sequence per process, so "v7" names one diagram wherever it runs.
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"), index=True)
    region: Mapped[Optional[Region]] = relationship()


class WorkflowInstance(Base):
    __tablename__ = "workflow_instance"
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"), index=True)
    inspection_id: Mapped[Optional[int]] = mapped_column(ForeignKey("inspection.id"), index=True)
    state: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="running")  # running / completed
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    definition: Mapped[ProcessDefinition] = relationship()

    # Optimistic lock: two concurrent saves of one instance cannot both succeed.
    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(Base):
    __tablename__ = "human_task"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id"),
        Index("ix_human_task_open_department", "status", "department_id"),
        Index("ix_human_task_open_due", "status", "due_at"),
        Index("ix_human_task_campaign_status_due", "campaign_id", "status", "due_at"),  # dashboard counts
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instance.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    form_key: Mapped[str] = mapped_column(String(60))
    lane: Mapped[Optional[str]] = mapped_column(String(60))
    stage: Mapped[Optional[str]] = mapped_column(String(20))
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"), index=True)
    inspection_id: Mapped[Optional[int]] = mapped_column(ForeignKey("inspection.id"))
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id"))
    role: Mapped[Optional[str]] = mapped_column(String(30))
    claimed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open / completed / cancelled
    created_at: Mapped[datetime]
    due_at: Mapped[Optional[datetime]]
    completed_at: Mapped[Optional[datetime]]
    completed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    # 代办: the colleague on leave for whom completed_by acted (shown as "completed_by 代 on_behalf_of").
    on_behalf_of_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    instance: Mapped[WorkflowInstance] = relationship()
    claimed_by: Mapped[Optional[User]] = relationship(foreign_keys=[claimed_by_id])
    completed_by: Mapped[Optional[User]] = relationship(foreign_keys=[completed_by_id])
    on_behalf_of: Mapped[Optional[User]] = relationship(foreign_keys=[on_behalf_of_id])
    candidates: Mapped[list["TaskCandidate"]] = relationship(cascade="all, delete-orphan")

    @property
    def named_user_ids(self) -> set[int]:
        """The named candidates' user ids: from the loaded `candidates`, else from `candidate_list` when that was
        read with the task (a completion's read, services/workflow/task_rows.py), else `candidates` is loaded."""
        if "candidates" not in self.__dict__ and "candidate_list" in self.__dict__:
            return {int(i) for i in (self.candidate_list or "").split(",") if i}
        return {c.user_id for c in self.candidates}


class TaskCandidate(Base):
    """Named people who may take a task (the officers matched to an enterprise)."""
    __tablename__ = "task_candidate"
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)


# The named candidates' user ids as "8,11" (any order), deferred: what authorizing a completion reads of them,
# in the task's own row, where a joined load of `candidates` returned one row (and built one object) per
# candidate: ten officers, ten rows. Read through HumanTask.named_user_ids.
HumanTask.candidate_list = column_property(
    select(func.aggregate_strings(cast(TaskCandidate.__table__.c.user_id, String), COMMA))
    .where(TaskCandidate.__table__.c.task_id == HumanTask.__table__.c.id).scalar_subquery(), deferred=True)


class ProcessDraft(Base):
    """A designer's unsaved-to-production edit of a process; deploying it makes a ProcessDefinition."""
    __tablename__ = "process_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    base_version: Mapped[Optional[int]]
    bpmn_xml: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime]
