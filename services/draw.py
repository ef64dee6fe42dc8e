"""The draw stage: pick enterprises and officers, record the draw, open one case per enterprise."""
import secrets

from flask import current_app
from sqlalchemy import func, select

from domain import draw as algorithm
from extensions import db
from models import (Campaign, Draw, DrawnEnterprise, Enterprise, Inspection, InspectionOfficer, User,
                    UserRole)
from services import audit, clock, registry, runtime
from services.errors import DomainError

ACTIVE_STATUS = "存续"


@registry.operation("draw")
def run_draw(operation_params: dict, task_data: dict) -> dict:
    """Service-task operation: draw, record and open the per-enterprise cases. Fails whole or not at all."""
    campaign = db.session.get(Campaign, int(operation_params["campaign_id"]))
    candidates, by_uscc = _candidates(campaign)
    seed = secrets.token_bytes(32)
    try:
        drawn = algorithm.draw_enterprises(candidates, campaign.ratios, seed)
        order = [uscc for cls in sorted(drawn) for uscc in drawn[cls]]
        if not order:
            raise algorithm.DrawInfeasible("抽查范围内没有可抽取的经营主体")
        teams = algorithm.match_officers(order, _officers(campaign), campaign.lead_department_id, seed,
                                         current_app.config["MIN_OFFICERS_PER_ENTERPRISE"])
    except algorithm.DrawInfeasible as exc:
        raise DomainError(f"双随机抽取失败：{exc}") from exc
    record = _record(campaign, candidates, drawn, seed)
    for uscc in order:
        _open_case(campaign, by_uscc[uscc], teams[uscc])
    audit.record(None, "draw.complete", "draw", record.id, campaign_id=campaign.id,
                 drawn=len(order), candidates=record.candidate_count, seed_commitment=record.seed_commitment)
    return {"draw_id": record.id, "drawn": len(order)}


def _candidates(campaign: Campaign) -> tuple[dict[str, list[str]], dict[str, Enterprise]]:
    rows = db.session.scalars(select(Enterprise).where(
        Enterprise.industry_id == campaign.industry_id, Enterprise.region_id == campaign.region_id,
        Enterprise.status == ACTIVE_STATUS)).all()
    candidates: dict[str, list[str]] = {}
    for enterprise in rows:
        candidates.setdefault(enterprise.credit_class, []).append(enterprise.uscc)
    return candidates, {e.uscc: e for e in rows}


def _officers(campaign: Campaign) -> dict[int, list[int]]:
    departments = [d.department_id for d in campaign.departments if d.status == "confirmed"]
    rows = db.session.execute(select(User.department_id, User.id).join(UserRole).where(
        User.department_id.in_(departments), User.active.is_(True), UserRole.role == "official")).all()
    people: dict[int, list[int]] = {d: [] for d in departments}
    for department_id, user_id in rows:
        people[department_id].append(user_id)
    return people


def _record(campaign: Campaign, candidates, drawn, seed: bytes) -> Draw:
    record = Draw(
        campaign_id=campaign.id, algorithm=algorithm.ALGORITHM,
        params={"ratios": campaign.ratios, "mode": "stratified"},
        snapshot_hash=algorithm.snapshot_hash(candidates), seed_commitment=algorithm.commitment(seed),
        seed=seed.hex(), candidate_count=sum(len(v) for v in candidates.values()), drawn_at=clock.now(),
    )
    position = 0
    by_uscc = {e.uscc: e.id for e in db.session.scalars(select(Enterprise).where(
        Enterprise.uscc.in_([u for v in drawn.values() for u in v])))}
    for credit_class in sorted(drawn):
        for uscc in drawn[credit_class]:
            record.enterprises.append(DrawnEnterprise(enterprise_id=by_uscc[uscc], credit_class=credit_class,
                                                      position=position))
            position += 1
    db.session.add(record)
    db.session.flush()
    return record


def _open_case(campaign: Campaign, enterprise: Enterprise, team: list[algorithm.OfficerPick]) -> None:
    inspection = Inspection(campaign_id=campaign.id, enterprise_id=enterprise.id, status="assigned")
    inspection.officers = [InspectionOfficer(user_id=p.officer_id, department_id=p.department_id) for p in team]
    db.session.add(inspection)
    db.session.flush()
    runtime.start_instance("enterprise_case", {"inspection_id": inspection.id, "campaign_id": campaign.id},
                           campaign_id=campaign.id, inspection_id=inspection.id)


def candidate_counts(industry_id: int, region_id: int) -> dict[str, int]:
    """How many enterprises per credit class a draw in this scope would choose from."""
    rows = db.session.execute(select(Enterprise.credit_class, func.count()).where(
        Enterprise.industry_id == industry_id, Enterprise.region_id == region_id,
        Enterprise.status == ACTIVE_STATUS).group_by(Enterprise.credit_class)).all()
    return {credit_class: count for credit_class, count in rows}
