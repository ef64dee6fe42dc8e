"""The whole draw for those who may check it: supervisors and the auditors (纪检监察) of its region.

They get what the public never does (docs/disclosure.md): each candidate with its class (and, for v3, its
salt), the officers and experts with who is barred from whom, the drawn list with names, and a check of the
lists against the enterprise directory. Downloading the full export is itself audited.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from domain import draw_v3
from extensions import db
from models import Campaign, Draw, Enterprise, User
from services import audit
from services import auditor
from services.draw import inputs as draw_inputs
from services.draw import records
from services.draw import sealed
from services.draw import stage as draw_stage
from services.key_lists import campaigns as key_lists
from services.stages import initiation
from services.workflow import clock


@dataclass
class Faithfulness:
    """The committed lists compared with the directory as it is now (classes are refreshed monthly, so a
    difference is a question to ask, not by itself proof of a wrong list)."""
    listed: int
    unknown: list[str]          # listed USCCs the directory does not hold
    class_changed: list[tuple]  # (USCC, name, class in the list, class in the directory now)
    not_active: list[tuple]     # (USCC, name, status now)
    outside_scope: list[tuple]  # (USCC, name): industry, region or key-object list not in the draw's scope


@dataclass
class FullView:
    record: Draw
    campaign: Campaign
    rows: list[dict]
    verification: records.Verification
    faithfulness: Faithfulness
    beacon_due: date | None
    can_enter_beacon: bool


def _draw_for(user: User, draw_id: int) -> tuple[Draw, Campaign]:
    record = records.get(draw_id)
    campaign = db.session.get(Campaign, record.campaign_id)
    auditor.require_full_view(user, campaign)
    return record, campaign


def full_view(user: User, draw_id: int) -> FullView:
    record, campaign = _draw_for(user, draw_id)
    due = None
    if record.algorithm == draw_v3.ALGORITHM:
        due = date.fromisoformat(record.commitment_doc["beacon"]["date"])
    return FullView(record, campaign, records.drawn_rows(record) if record.status != "committed" else [],
                    records.verify(draw_id), faithfulness(record),
                    due, bool(due and record.status == "committed" and auditor.covers(user, campaign)
                              and clock.today() >= due))


def full_export(user: User, draw_id: int) -> dict:
    record, campaign = _draw_for(user, draw_id)
    data = records.export(draw_id)
    audit.record(user, "draw.export_full", "draw", record.id, campaign_id=campaign.id)
    db.session.commit()
    return data


def named_list_xlsx(user: User, draw_id: int) -> bytes:
    """The participating departments (who inspect these enterprises), supervisors and the region's auditors."""
    record = records.get(draw_id)
    initiation.get_campaign(user, record.campaign_id)
    return records.xlsx(draw_id)


def _listed(record: Draw) -> dict[str, str]:
    """USCC -> the class it was listed under."""
    if record.algorithm == draw_v3.ALGORITHM:
        lists, _ = sealed.load(record)
        return {u: c for c, v in lists.items() for u, _ in v}
    return {u: c for c, v in draw_stage.load_snapshot(record).items() for u in v}


def faithfulness(record: Draw) -> Faithfulness:
    listed = _listed(record)
    scope = record.params.get("scope", {})
    industries, regions = set(scope.get("industry_ids", [])), set(scope.get("region_ids", []))
    # 定向 from key-object lists: every listed enterprise must have been a member on the day of the commitment.
    members = key_lists.members_on(scope["key_list_ids"], clock.local_date(record.committed_at)) \
        if scope.get("key_list_ids") and record.committed_at else None
    patterns = scope.get("address_patterns") or []  # a themed action's area
    found: dict[str, tuple] = {}
    usccs = sorted(listed)
    for start in range(0, len(usccs), 500):
        for row in db.session.execute(select(Enterprise.id, Enterprise.uscc, Enterprise.name, Enterprise.credit_class,
                                             Enterprise.status, Enterprise.industry_id, Enterprise.region_id,
                                             Enterprise.address)
                                      .where(Enterprise.uscc.in_(usccs[start:start + 500]))):
            found[row.uscc] = row
    unknown = [u for u in usccs if u not in found]
    changed, inactive, outside = [], [], []
    for uscc in usccs:
        row = found.get(uscc)
        if row is None:
            continue
        if listed[uscc] not in (draw_v3.v2.WHOLE_SCOPE, key_lists.RAISED_STRATUM) and row.credit_class != listed[uscc]:
            changed.append((uscc, row.name, listed[uscc], row.credit_class))
        if row.status != draw_inputs.ACTIVE_STATUS:
            inactive.append((uscc, row.name, row.status))
        if (industries and row.industry_id not in industries) or (regions and row.region_id not in regions) \
                or (members is not None and row.id not in members) \
                or (patterns and not any(p in (row.address or "") for p in patterns)):
            outside.append((uscc, row.name))
    return Faithfulness(len(listed), unknown, changed, inactive, outside)
