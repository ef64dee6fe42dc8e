"""What an enterprise sees of itself: its inspections once their results are published (公示), item by item.

Every query is scoped to the logged-in enterprise: another enterprise's record is "not found", the same as a
record that does not exist. Officers are never named (the result names the authority: the departments); an
inspection not yet published does not exist here (random inspections are unannounced).
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from extensions import db
from models import (Campaign, ChecklistItem, Department, Enterprise, FollowUp, Inspection, InspectionOfficer,
                    ItemResult, Matter)
from services.errors import NotFound
from services.stages import publication


@dataclass(frozen=True)
class Finding:
    item_id: int
    item: str
    matter: str
    department: str
    result: str              # pass / fail / na
    note: str | None


@dataclass(frozen=True)
class Rectification:
    deadline: date
    working_days: int | None
    status: str              # open / closed
    rectified: bool | None


@dataclass(frozen=True)
class InspectionRecord:
    id: int
    campaign: str
    departments: list[str]
    inspected_on: date | None
    published_at: datetime
    result_code: str | None
    handling: str | None
    corrected: bool
    findings: list[Finding]
    rectifications: list[Rectification]


def me(enterprise_id: int) -> Enterprise | None:
    return db.session.get(Enterprise, enterprise_id)


def my_inspections(enterprise_id: int) -> list[InspectionRecord]:
    ids = db.session.scalars(select(Inspection.id).where(
        Inspection.enterprise_id == enterprise_id, Inspection.published_at.is_not(None))
        .order_by(Inspection.published_at.desc(), Inspection.id.desc()))
    return [_record(db.session.get(Inspection, i), with_findings=False) for i in ids]


def own(enterprise_id: int, inspection_id: int) -> Inspection:
    """The enterprise's own published inspection, else "not found"."""
    found = db.session.get(Inspection, inspection_id)
    if found is None or found.enterprise_id != enterprise_id or found.published_at is None:
        raise NotFound("检查记录不存在")
    return found


def inspection(enterprise_id: int, inspection_id: int) -> InspectionRecord:
    return _record(own(enterprise_id, inspection_id), with_findings=True)


def _record(inspection: Inspection, with_findings: bool) -> InspectionRecord:
    campaign = db.session.get(Campaign, inspection.campaign_id)
    departments = list(db.session.scalars(
        select(Department.name).join(InspectionOfficer, InspectionOfficer.department_id == Department.id)
        .where(InspectionOfficer.inspection_id == inspection.id).distinct().order_by(Department.name)))
    findings = _findings(inspection.id) if with_findings else []
    rectifications = [Rectification(f.deadline, f.working_days, f.status, f.rectified) for f in db.session.scalars(
        select(FollowUp).where(FollowUp.inspection_id == inspection.id).order_by(FollowUp.id))]
    # The enterprise sees the public title: a targeted inspection's internal one names the complaint.
    return InspectionRecord(inspection.id, publication.public_title(campaign), departments, inspection.inspected_on,
                            inspection.published_at, inspection.result_code, inspection.handling,
                            (inspection.published_revision or 0) > 1, findings, rectifications)


def _findings(inspection_id: int) -> list[Finding]:
    rows = db.session.execute(
        select(ChecklistItem.id, ChecklistItem.text, Matter.name, Department.name, ItemResult.result, ItemResult.note)
        .join(ChecklistItem, ChecklistItem.id == ItemResult.checklist_item_id)
        .join(Matter, Matter.id == ChecklistItem.matter_id)
        .join(Department, Department.id == Matter.department_id)
        .where(ItemResult.inspection_id == inspection_id).order_by(ChecklistItem.position)).all()
    return [Finding(*row) for row in rows]

