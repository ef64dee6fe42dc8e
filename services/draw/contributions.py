"""Department seed contributions (随机贡献值) of a v3 draw: no single party chooses the seed.

Each department taking part commits, at report-in, the SHA-256 of a value only it knows
(domain/draw_v3.contribution_hash: the browser computes it, so the platform never sees the value before it
is revealed). The draw's commitment binds every commitment made by then. After the commitment is published,
and before the day of the named public value (the lottery result), each department reveals its value; the
seed is then HMAC(commitment, public value ‖ revealed values). The window closes before the lottery day, so
nobody who could know the lottery result can still decide whether to reveal. A value never revealed is left
out, which anyone sees on /verify/draw/<id>; the public value alone still makes the seed unpredictable.
"""
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from domain import draw_v3
from extensions import db
from models import Campaign, Department, Draw, SeedContribution, User
from services import audit
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.workflow import clock

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_VALUE = 200


@dataclass(frozen=True)
class ContributionView:
    campaign: Campaign
    department: Department
    row: SeedContribution | None
    draw: Draw | None              # the v3 draw whose commitment binds the department's (if any)
    may_commit: bool
    may_reveal: bool
    reveal_until: date | None      # the last day a value may be revealed (the day before the public value's)


def _taking_part(actor: User, campaign_id: int) -> tuple[Campaign, Department]:
    """A department asked to take part (invited: it may commit just before reporting in, since the draw's
    commitment follows the last report-in at once) or confirmed; not one that declined."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("检查活动不存在")
    part = next((d for d in campaign.departments if d.department_id == actor.department_id), None)
    if part is None or part.status == "declined" or not actor.has_role("official", "department_admin"):
        raise Forbidden("只有参加该检查活动的部门人员可以提交随机贡献值")
    return campaign, db.session.get(Department, actor.department_id)


def _own(campaign_id: int, department_id: int) -> SeedContribution | None:
    return db.session.scalar(select(SeedContribution).where(SeedContribution.campaign_id == campaign_id,
                                                            SeedContribution.department_id == department_id))


def _binding_draw(campaign_id: int) -> Draw | None:
    """The campaign's live v3 draw (committed or drawn): once it exists, the commitments are fixed."""
    record = db.session.scalars(select(Draw).where(Draw.campaign_id == campaign_id, Draw.status != "superseded")
                                .order_by(Draw.id.desc())).first()
    return record if record is not None and record.algorithm == draw_v3.ALGORITHM \
        and record.status in ("committed", "drawn") else None


def _bound(record: Draw | None, department_id: int) -> bool:
    departments = ((record.commitment_doc or {}).get("contributions") or {}).get("departments", []) if record else []
    return any(int(d["department_id"]) == department_id for d in departments)


def reveal_deadline(record: Draw) -> date:
    """The day before the public value's date: after it, someone may already know the lottery result."""
    return date.fromordinal(date.fromisoformat(record.commitment_doc["beacon"]["date"]).toordinal() - 1)


def view(actor: User, campaign_id: int) -> ContributionView:
    campaign, department = _taking_part(actor, campaign_id)
    row, record = _own(campaign.id, department.id), _binding_draw(campaign.id)
    until = reveal_deadline(record) if record is not None else None
    may_reveal = bool(row and row.value is None and record is not None and record.status == "committed"
                      and _bound(record, department.id) and clock.today() <= until)
    return ContributionView(campaign, department, row, record, record is None and row is None, may_reveal, until)


def commit(actor: User, campaign_id: int, commitment: str) -> SeedContribution:
    """Record the department's commitment (once) while the draw's commitment is not yet fixed."""
    campaign, department = _taking_part(actor, campaign_id)
    # the draw stage takes the same row lock before committing (services/draw/stage.lock_campaign)
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update(key_share=True))
    if _binding_draw(campaign.id) is not None:
        raise Conflict("抽取承诺已公布，不能再提交随机贡献值")
    if _own(campaign.id, department.id) is not None:
        raise Conflict("本部门已提交随机贡献承诺，不能更改")
    commitment = (commitment or "").strip().lower()
    if not _HEX64.match(commitment):
        raise ValidationFailed({"commitment": ["承诺值应为 64 位十六进制 SHA-256（在本页输入贡献值后自动计算）"]})
    row = SeedContribution(campaign_id=campaign.id, department_id=department.id, commitment=commitment,
                           committed_by_id=actor.id, committed_at=clock.now())
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "draw.contribution_commit", "seed_contribution", row.id, campaign_id=campaign.id,
                 department_id=department.id, commitment=commitment)
    db.session.commit()
    return row


def reveal(actor: User, campaign_id: int, value: str) -> SeedContribution:
    """Reveal the value behind the commitment: it must hash to it, within the window."""
    current = view(actor, campaign_id)
    if not current.may_reveal:
        raise Conflict("现在不能揭示随机贡献值（须在抽取承诺公布后、公开随机值开奖日之前，且本部门的承诺已纳入抽取承诺）")
    value = value or ""
    expected = draw_v3.contribution_hash(current.campaign.code, current.department.id, value)
    if not value or len(value) > MAX_VALUE or expected != current.row.commitment:
        raise ValidationFailed({"value": ["贡献值与本部门提交的承诺不符（须与提交承诺时输入的内容完全一致）"]})
    row = current.row
    row.value, row.revealed_by_id, row.revealed_at = value, actor.id, clock.now()
    audit.record(actor, "draw.contribution_reveal", "seed_contribution", row.id, campaign_id=row.campaign_id,
                 department_id=row.department_id)
    db.session.commit()
    return row


def to_bind(campaign: Campaign) -> dict | None:
    """The commitments made so far, for the draw's commitment document (None when there are none)."""
    taking_part = {d.department_id for d in campaign.departments if d.status == "confirmed"}  # declined drop out
    rows = [r for r in db.session.scalars(select(SeedContribution).where(SeedContribution.campaign_id == campaign.id)
                                          .order_by(SeedContribution.department_id)) if r.department_id in taking_part]
    if not rows:
        return None
    return {"campaign": campaign.code,
            "departments": [{"department_id": r.department_id, "sha256": r.commitment} for r in rows]}


def revealed_for(record: Draw) -> dict[str, str]:
    """The revealed values of the departments the draw's commitment binds, by department id (as text)."""
    bound = {int(d["department_id"]) for d in
             ((record.commitment_doc or {}).get("contributions") or {}).get("departments", [])}
    if not bound:
        return {}
    rows = db.session.scalars(select(SeedContribution).where(
        SeedContribution.campaign_id == record.campaign_id, SeedContribution.department_id.in_(bound),
        SeedContribution.value.is_not(None)))
    return {str(r.department_id): r.value for r in sorted(rows, key=lambda r: r.department_id)}
