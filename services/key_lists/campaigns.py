"""Campaigns drawing from key-object lists: only from their members (定向), or members at a raised ratio.

The lead department's officials attach a list of a department taking part in the campaign, while the
campaign has not drawn yet (a failed draw can still be retried with the list). The draw reads the members
current on its day; the list ids (and raised ratios) go into the draw's parameters, so its commitment binds
them. A raised ratio puts the members whose class ratio is lower into a stratum of their own, RAISED_STRATUM,
drawn at that ratio: the algorithm treats it as one more class, so anyone recomputes it the same way.
"""
from fractions import Fraction

from sqlalchemy import select

from extensions import db
from domain import draw as algorithm
from models import Campaign, CampaignKeyList, Draw, Enterprise, KeyList, KeyListEntry, User
from services import audit
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.key_lists import lists
from services.org import scope
from services.workflow import clock


def attachable_campaigns(actor: User, key_list: KeyList) -> list[Campaign]:
    """Active campaigns the actor's department leads, the list's department takes part in, not yet drawn."""
    if not actor.has_role("official") or actor.department_id is None:
        return []
    campaigns = db.session.scalars(select(Campaign).where(
        Campaign.lead_department_id == actor.department_id, Campaign.status == "active",
        scope.campaign_clause(actor)).order_by(Campaign.id)).all()
    return [c for c in campaigns if _takes_part(c, key_list.department_id) and not _drawn(c.id)
            and not _attached(c.id, key_list.id)]


RAISED_STRATUM = "K"  # 重点对象: the members drawn at a raised ratio


def attach(actor: User, list_id: int, campaign_id: int, ratio: str | None = None) -> CampaignKeyList:
    """Without a ratio: the campaign draws only from the list. With one: its members at least at that ratio."""
    key_list = lists.get_visible(actor, list_id)
    ratio = _ratio(ratio)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not scope.covers_campaign(actor, campaign):
        raise NotFound("未找到该检查活动")
    if not actor.has_role("official") or actor.department_id != campaign.lead_department_id:
        raise Forbidden("只有牵头部门的执法人员可以指定定向抽取的名录")
    if campaign.status != "active" or _drawn(campaign.id):
        raise Conflict(f"{campaign.code} 已完成抽取，不能再指定定向抽取的名录")
    if not _takes_part(campaign, key_list.department_id):
        raise Conflict(f"名录所属部门「{key_list.department.name}」未参加 {campaign.code}")
    if _attached(campaign.id, key_list.id):
        raise Conflict(f"{campaign.code} 已从名录「{key_list.name}」定向抽取")
    link = CampaignKeyList(campaign_id=campaign.id, key_list_id=key_list.id, ratio=ratio, attached_by_id=actor.id,
                           attached_at=clock.now())
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "key_list.attach", "key_list", key_list.id, campaign_id=campaign.id, ratio=ratio)
    db.session.commit()
    return link


def lists_of(campaign_id: int) -> list[KeyList]:
    """The lists the campaign draws only from (定向)."""
    return list(db.session.scalars(select(KeyList).join(CampaignKeyList, CampaignKeyList.key_list_id == KeyList.id)
                                   .where(CampaignKeyList.campaign_id == campaign_id, CampaignKeyList.ratio.is_(None))
                                   .order_by(KeyList.id)))


def raised_of(campaign_id: int) -> dict[int, str]:
    """List id -> the raised ratio its members are drawn at."""
    return dict(db.session.execute(select(CampaignKeyList.key_list_id, CampaignKeyList.ratio).where(
        CampaignKeyList.campaign_id == campaign_id, CampaignKeyList.ratio.is_not(None))
        .order_by(CampaignKeyList.key_list_id)).all())


def raise_stratum(raised: dict[int, str], candidates: dict[str, list[str]],
                  ratios: dict[str, str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Move the current members of the raised lists whose class ratio is below the highest raised ratio into
    RAISED_STRATUM, drawn at that ratio; a member already drawn at a higher ratio stays in its class."""
    if not raised:
        return candidates, ratios
    ratio = max(raised.values(), key=Fraction)
    members = set(db.session.scalars(select(Enterprise.uscc).where(members_clause(sorted(raised), Enterprise.id))))
    moved, kept = [], {}
    for credit_class, usccs in candidates.items():
        lower = Fraction(ratios.get(credit_class) or "0") < Fraction(ratio)
        kept[credit_class] = [u for u in usccs if not (lower and u in members)]
        moved += [u for u in usccs if lower and u in members]
    return {**kept, RAISED_STRATUM: sorted(moved)}, {**ratios, RAISED_STRATUM: ratio}


def _ratio(raw: str | None) -> str | None:
    if raw is None or not str(raw).strip():
        return None
    try:
        value = Fraction(str(raw).strip())
    except (ValueError, ZeroDivisionError):
        value = Fraction(-1)
    if not 0 < value <= 100:
        raise ValidationFailed({"ratio": ["提高后的抽查比例应大于 0%，不超过 100%"]})
    return algorithm.format_ratio(str(raw).strip())


def campaigns_of(list_id: int) -> list[tuple[Campaign, str | None]]:
    """The campaigns drawing from the list, each with its raised ratio (None: only from the list)."""
    return [(campaign, ratio) for campaign, ratio in db.session.execute(select(Campaign, CampaignKeyList.ratio).join(
        CampaignKeyList, CampaignKeyList.campaign_id == Campaign.id).where(CampaignKeyList.key_list_id == list_id)
        .order_by(Campaign.id)).all()]


def members_clause(list_ids: list[int], enterprise_id_column):
    """`enterprise_id_column` is a current member of one of the lists (the draw's 定向 scope)."""
    today = clock.today()
    return enterprise_id_column.in_(select(KeyListEntry.enterprise_id).where(
        KeyListEntry.key_list_id.in_(list_ids), KeyListEntry.added_on <= today, KeyListEntry.removed_on.is_(None)))


def members_on(list_ids: list[int], day) -> set[int]:
    """Enterprises on one of the lists on `day` (an auditor checks a 定向 draw against it)."""
    return set(db.session.scalars(select(KeyListEntry.enterprise_id).where(
        KeyListEntry.key_list_id.in_(list_ids), KeyListEntry.added_on <= day,
        (KeyListEntry.removed_on.is_(None)) | (KeyListEntry.removed_on >= day))))


def _takes_part(campaign: Campaign, department_id: int) -> bool:
    return campaign.lead_department_id == department_id or any(
        d.department_id == department_id and d.status != "declined" for d in campaign.departments)


def _drawn(campaign_id: int) -> bool:
    return db.session.scalar(select(Draw.id).where(Draw.campaign_id == campaign_id, Draw.status != "failed")
                             .limit(1)) is not None


def _attached(campaign_id: int, list_id: int) -> bool:
    return db.session.scalar(select(CampaignKeyList.id).where(
        CampaignKeyList.campaign_id == campaign_id, CampaignKeyList.key_list_id == list_id)) is not None
