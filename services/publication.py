"""Publication (公示): the lead department approves, results go on the public page."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from domain import results
from extensions import db
from forms.loader import FormContext
from models import Campaign, Department, Enterprise, Inspection, InspectionOfficer, Publication
from services import audit, clock, registry

PAGE_SIZE = 50


def submitted_inspections(campaign_id: int) -> list[Inspection]:
    return list(db.session.scalars(select(Inspection).where(
        Inspection.campaign_id == campaign_id, Inspection.status == "submitted").order_by(Inspection.id)))


@registry.form_context("publication_approval")
def _context(ctx) -> FormContext:
    return FormContext(info={"inspections": submitted_inspections(ctx.campaign.id)})


@registry.form_handler("publication_approval")
def _approve(ctx, data: dict) -> dict:
    now = clock.now()
    to_publish = [i for i in submitted_inspections(ctx.campaign.id) if i.published_at is None]
    for inspection in to_publish:
        inspection.published_at = now
    publication = Publication(campaign_id=ctx.campaign.id, approved_by_id=ctx.user.id, approved_at=now,
                              result_count=len(to_publish))
    db.session.add(publication)
    db.session.flush()
    audit.record(ctx.user, "publication.approve", "publication", publication.id, campaign_id=ctx.campaign.id,
                 inspection_ids=[i.id for i in to_publish], comment=data.get("comment"))
    return {}


@dataclass(frozen=True)
class PublicResult:
    """Only what the public may see: no notes, no evidence, no officers' names."""
    uscc: str
    enterprise_name: str
    campaign_code: str
    campaign_title: str
    departments: str
    inspected_on: object
    result: str
    published_on: object


def search_public(query: str = "", page: int = 1) -> tuple[list[PublicResult], int]:
    stmt = (select(Inspection, Enterprise, Campaign).join(Enterprise, Inspection.enterprise_id == Enterprise.id)
            .join(Campaign, Inspection.campaign_id == Campaign.id).where(Inspection.published_at.is_not(None)))
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Enterprise.name.like(like), Enterprise.uscc == query.strip().upper(),
                              Campaign.code == query.strip()))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(stmt.order_by(Inspection.published_at.desc(), Inspection.id)
                              .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    return [_public(i, e, c) for i, e, c in rows], total


def _public(inspection: Inspection, enterprise: Enterprise, campaign: Campaign) -> PublicResult:
    names = db.session.scalars(select(Department.name).join(InspectionOfficer, InspectionOfficer.department_id == Department.id)
                               .where(InspectionOfficer.inspection_id == inspection.id).distinct()).all()
    return PublicResult(enterprise.uscc, enterprise.name, campaign.code, campaign.title, "、".join(sorted(names)),
                        inspection.inspected_on, results.category(inspection.result_code).zh,
                        inspection.published_at.date())
