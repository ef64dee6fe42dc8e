"""The read-only auditor (纪检监察/督查): what it may see, the one thing it may do, and its audited views.

An auditor sees everything of the regions it is assigned and changes nothing, except entering a v3 draw's
public value (services/draw/beacon.py). Which regions it holds is `regions_of`, the single place to widen
when regions nest (the org scope's region tree): today a user holds its own region.
"""
from extensions import db
from models import Campaign, User
from services import audit
from services.errors import Forbidden
from services.org import scope

ROLE = "auditor"


def is_auditor(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(ROLE))


def regions_of(user: User) -> set[int]:
    """The region ids an auditor's authority covers: its region's subtree (a city's auditor sees its
    districts, as every role does: services/org/scope.py). Without a region an auditor covers nothing."""
    return set(scope.subtree_ids(user.region_id)) if user.region_id else set()


def require_assigned(user: User) -> None:
    """An auditor reads within the regions it is assigned; one with no region is assigned none (for any other
    role no region means the whole platform)."""
    if is_auditor(user) and not user.has_role("supervisor", "admin") and not user.region_id:
        raise Forbidden("该纪检监察账号未指定管辖区划，不能查看")


def campaign_regions(campaign: Campaign) -> set[int]:
    """The campaign's own region and, for 区域联查, every region its draw covers."""
    extra = ((campaign.plan_entry.draw_settings or {}).get("region_ids") or []) if campaign.plan_entry else []
    return {campaign.region_id, *extra}


def covers(user: User, campaign: Campaign) -> bool:
    return is_auditor(user) and bool(regions_of(user) & campaign_regions(campaign))


def require_full_view(user: User, campaign: Campaign) -> None:
    """Who may see a draw whole (names, classes, officers, salts): a supervisor, or an auditor of its region."""
    if user.has_role("supervisor") or covers(user, campaign):
        return
    raise Forbidden("只有联席会办公室或该地区的纪检监察（审计）人员可以查看完整抽取数据")


def record_view(user: User, endpoint: str | None, path: str) -> None:
    """Every page or file an auditor opens leaves an audit record (its own transaction: a view changes nothing
    else, and the record must exist even if the view then fails)."""
    audit.record(user, "auditor.view", "user", user.id, endpoint=endpoint or "", path=path[:300])
    db.session.commit()
