"""Joint inspections (进一次门、查多项事): officers, item results, drafts, sign-offs, revisions and evidence."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, cast, func, or_, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from models.base import COMMA, Base
from models.campaign import Campaign
from models.catalogue import ChecklistItem
from models.draw import Draw, DrawnEnterprise
from models.enterprise import Enterprise
from models.org import Department, User

HANDLING_CLASSES = ("none", "rectify", "case", "transfer")


class Inspection(Base):
    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("campaign_id", "enterprise_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    # assigned → signed (one sign-off, still editable by a second officer) → submitted (final, locked)
    status: Mapped[str] = mapped_column(String(12), default="assigned")
    result_code: Mapped[Optional[str]] = mapped_column(String(10))
    problem_domain: Mapped[Optional[str]] = mapped_column(String(10))
    method: Mapped[Optional[str]] = mapped_column(String(40))
    summary: Mapped[Optional[str]] = mapped_column(Text)
    inspected_on: Mapped[Optional[date]]
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[Optional[datetime]]
    publication_due: Mapped[Optional[date]]
    published_at: Mapped[Optional[datetime]]
    handling: Mapped[Optional[str]] = mapped_column(String(10))
    handling_note: Mapped[Optional[str]] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=0)   # current revision; 0 until final
    finalized_at: Mapped[Optional[datetime]]
    publication_provisional: Mapped[bool] = mapped_column(default=False)
    published_revision: Mapped[Optional[int]]
    # Publication approval per enterprise: "held" (暂缓公示) or "returned" (退回更正) sends the record back to its
    # team with the lead's reason; NULL once they have answered (or never held).
    publication_hold: Mapped[Optional[str]] = mapped_column(String(10))
    publication_hold_reason: Mapped[Optional[str]] = mapped_column(Text)
    publication_hold_revision: Mapped[Optional[int]]   # the revision held: a correction must go beyond it
    abnormal_list_due: Mapped[Optional[date]]      # 无法联系: list as abnormal within 10 working days
    abnormal_listed_at: Mapped[Optional[datetime]]
    # How the enterprise came to be inspected: "random" (a draw) or "targeted" (a complaint: 非随机, counted
    # apart from the random draws in the performance review).
    selection: Mapped[str] = mapped_column(String(10), default="random", server_default="random")
    campaign: Mapped[Campaign] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    officers: Mapped[list["InspectionOfficer"]] = relationship(
        back_populates="inspection", order_by="InspectionOfficer.id", cascade="all, delete-orphan")
    item_results: Mapped[list["ItemResult"]] = relationship(
        back_populates="inspection", order_by="ItemResult.id", cascade="all, delete-orphan")
    follow_ups: Mapped[list["FollowUp"]] = relationship(back_populates="inspection", order_by="FollowUp.id")
    signoffs: Mapped[list["InspectionSignoff"]] = relationship(
        back_populates="inspection", order_by="InspectionSignoff.id", cascade="all, delete-orphan")
    revisions: Mapped[list["InspectionRevision"]] = relationship(
        back_populates="inspection", order_by="InspectionRevision.number", cascade="all, delete-orphan")
    # Read-only: whose draft exists, so a sign-off deletes one only when there is one; drafts are written alone.
    drafts: Mapped[list["InspectionDraft"]] = relationship(viewonly=True, order_by="InspectionDraft.id")
    # When the enterprise was drawn for this campaign (its earliest draw still standing or superseded): an
    # inspection cannot be dated before it. Deferred: loaded only by those who ask (the completion does).
    drawn_at: Mapped[Optional[datetime]] = column_property(
        select(func.min(Draw.drawn_at)).join(DrawnEnterprise, DrawnEnterprise.draw_id == Draw.id)
        # Two comparisons, not in_(): an IN list of values is expanded into the SQL on every execution.
        .where(Draw.campaign_id == campaign_id, or_(Draw.status == "drawn", Draw.status == "superseded"),
               DrawnEnterprise.enterprise_id == enterprise_id).scalar_subquery(), deferred=True)

    @property
    def officer_departments(self) -> dict[int, int]:
        """The officers' departments by user id, in the officers' order: from the loaded `officers`, else from
        `officer_list` when that was read with the inspection (a completion's read), else `officers` is loaded."""
        if "officers" not in self.__dict__ and "officer_list" in self.__dict__:
            rows = sorted(tuple(map(int, part.split(":"))) for part in (self.officer_list or "").split(",") if part)
            return {user_id: department_id for _, user_id, department_id in rows}
        return {o.user_id: o.department_id for o in self.officers}

    @property
    def signer_ids(self) -> list[int]:
        """Who has signed, in signing order: from the loaded `signoffs`, else from `signoff_list` when that was
        read with the inspection (a completion's read; services/stages/signoff_rows.add_signoff keeps either in
        step), else `signoffs` is loaded."""
        if "signoffs" not in self.__dict__ and "signoff_list" in self.__dict__:
            rows = sorted(tuple(map(int, part.split(":"))) for part in (self.signoff_list or "").split(",") if part)
            return [user_id for _, user_id in rows]
        return [s.user_id for s in self.signoffs]

    @property
    def draft_user_ids(self) -> set[int]:
        """Who has a draft: from the loaded `drafts`, else from `draft_list` when that was read with the
        inspection, else `drafts` is loaded."""
        if "drafts" not in self.__dict__ and "draft_list" in self.__dict__:
            return {int(i) for i in (self.draft_list or "").split(",") if i}
        return {d.user_id for d in self.drafts}


class InspectionOfficer(Base):
    __tablename__ = "inspection_officer"
    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    inspection: Mapped[Inspection] = relationship(back_populates="officers")
    user: Mapped[User] = relationship()
    department: Mapped[Department] = relationship()


class ItemResult(Base):
    __tablename__ = "item_result"
    __table_args__ = (UniqueConstraint("inspection_id", "checklist_item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    checklist_item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    result: Mapped[str] = mapped_column(String(10))  # pass / fail / na
    note: Mapped[Optional[str]] = mapped_column(Text)
    inspection: Mapped[Inspection] = relationship(back_populates="item_results")
    checklist_item: Mapped[ChecklistItem] = relationship()


class InspectionDraft(Base):
    """An officer's unsent form values, saved on the server so a lost signal loses nothing."""
    __tablename__ = "inspection_draft"
    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    data: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[datetime]


class InspectionSignoff(Base):
    """One matched officer's signature on the inspection record (two-officer rule)."""
    __tablename__ = "inspection_signoff"
    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    signed_at: Mapped[datetime]
    changed: Mapped[bool] = mapped_column(default=False)  # corrected the values before signing
    inspection: Mapped[Inspection] = relationship(back_populates="signoffs")
    user: Mapped[User] = relationship()


class InspectionRevision(Base):
    """A final version of the result; revision 1 at final sign-off, later ones are corrections with a reason."""
    __tablename__ = "inspection_revision"
    __table_args__ = (UniqueConstraint("inspection_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    number: Mapped[int]
    data: Mapped[dict] = mapped_column(JSON)   # result_code, problem_domain, method, inspected_on, items…
    reason: Mapped[Optional[str]] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    published_at: Mapped[Optional[datetime]]
    inspection: Mapped[Inspection] = relationship(back_populates="revisions")
    created_by: Mapped[User] = relationship()


class Evidence(Base):
    """An uploaded photo or PDF, stored outside the web root under its SHA-256."""
    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    checklist_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("checklist_item.id"))
    # Set for a rectification's proof (后续监管): the enterprise's photos and documents of what it fixed.
    follow_up_id: Mapped[Optional[int]] = mapped_column(ForeignKey("follow_up.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    mime: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime]


_officers, _drafts, _signoffs = InspectionOfficer.__table__, InspectionDraft.__table__, InspectionSignoff.__table__
# The officers as "id:user_id:department_id,…", the sign-offs as "id:user_id,…" and the users with a draft as
# "8,11" (any order), deferred: what a completion reads of them (services/workflow/task_context.py: who may sign,
# for which department, who signed already, who is asked to countersign, whose draft goes), in the inspection's
# own row. Joined loads of `officers`, `signoffs` and `drafts` returned one row per officer (times sign-offs,
# times drafts) and built an object for each: ten officers cost the ORM ~0.2 ms.
# Read through Inspection.officer_departments, Inspection.signer_ids and Inspection.draft_user_ids.
Inspection.officer_list = column_property(
    select(func.aggregate_strings(cast(_officers.c.id, String) + ":" + cast(_officers.c.user_id, String) + ":"
                                  + cast(_officers.c.department_id, String), COMMA))
    .where(_officers.c.inspection_id == Inspection.__table__.c.id).scalar_subquery(), deferred=True)
Inspection.signoff_list = column_property(
    select(func.aggregate_strings(cast(_signoffs.c.id, String) + ":" + cast(_signoffs.c.user_id, String), COMMA))
    .where(_signoffs.c.inspection_id == Inspection.__table__.c.id).scalar_subquery(), deferred=True)
Inspection.draft_list = column_property(
    select(func.aggregate_strings(cast(_drafts.c.user_id, String), COMMA))
    .where(_drafts.c.inspection_id == Inspection.__table__.c.id).scalar_subquery(), deferred=True)
