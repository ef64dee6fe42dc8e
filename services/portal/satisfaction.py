"""Satisfaction (满意度): once an inspection has closed (published, handling decided, no rectification open) the enterprise rates
it 1–5 with an optional comment, once. The performance review shows the campaign's count and mean."""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain import results
from extensions import db
from models import Inspection, SatisfactionRating
from services import audit
from services.errors import Conflict, NotFound, ValidationFailed
from services.workflow import clock


def closed(inspection: Inspection) -> bool:
    """Published, decided (a problem found needs its handling decided at diagnosis) and no rectification open."""
    decided = inspection.handling is not None or not results.is_problem(inspection.result_code)
    return (inspection.published_at is not None and decided
            and all(f.status == "closed" for f in inspection.follow_ups))


def for_inspection(enterprise_id: int, inspection_id: int) -> SatisfactionRating | None:
    return db.session.scalars(select(SatisfactionRating).where(
        SatisfactionRating.inspection_id == inspection_id, SatisfactionRating.enterprise_id == enterprise_id)).first()


def rate(enterprise_id: int, inspection_id: int, score: str | int | None, comment: str | None) -> SatisfactionRating:
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or inspection.enterprise_id != enterprise_id or inspection.published_at is None:
        raise NotFound("检查记录不存在")
    if not closed(inspection):
        raise Conflict("检查办结（整改完成）后才能评价")
    if for_inspection(enterprise_id, inspection_id) is not None:
        raise Conflict("每次检查只能评价一次")
    value = int(score) if str(score or "").isdigit() else 0
    comment = (comment or "").strip()
    errors = {}
    if not 1 <= value <= 5:
        errors["score"] = ["请选择 1–5 分"]
    if len(comment) > 1000:
        errors["comment"] = ["评价意见不超过 1000 字"]
    if errors:
        raise ValidationFailed(errors)
    rating = SatisfactionRating(inspection_id=inspection.id, enterprise_id=enterprise_id,
                                campaign_id=inspection.campaign_id, score=value, comment=comment or None,
                                submitted_at=clock.now())
    db.session.add(rating)
    try:
        db.session.flush()  # the unique inspection_id settles two ratings sent at once
    except IntegrityError:
        db.session.rollback()
        raise Conflict("每次检查只能评价一次") from None
    audit.record(None, "satisfaction.rate", "satisfaction_rating", rating.id, campaign_id=inspection.campaign_id,
                 inspection_id=inspection.id, score=value)
    db.session.commit()
    return rating


def by_campaign(campaign_ids: list[int]) -> dict[int, dict]:
    """{campaign id: {"ratings": n, "satisfaction_mean": mean score, 2 decimals}}."""
    rows = db.session.execute(select(SatisfactionRating.campaign_id, func.count(), func.avg(SatisfactionRating.score))
                              .where(SatisfactionRating.campaign_id.in_(campaign_ids))
                              .group_by(SatisfactionRating.campaign_id)).all()
    return {cid: {"ratings": n, "satisfaction_mean": round(float(mean), 2)} for cid, n, mean in rows}
