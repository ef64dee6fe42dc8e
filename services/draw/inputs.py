"""What a draw is computed from: the candidate snapshot after exclusions, and the people.

Everything here is read from the database once, before the seed is used, and then fixed
in the commitment; the algorithm itself (domain/draw.py) never touches the database.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select, true

from domain import draw as algorithm
from extensions import db
from models.campaign import campaign_matter
from models import (Campaign, Case, ChecklistItem, Department, Enterprise, Expert, ExpertConflict, Inspection,
                    InspectionOfficer, ItemResult, Matter, OfficerConflict, RecusalRequest, User, UserRole)
from services.workflow import clock
from services.draw import rules as draw_rules
from services.key_lists import campaigns as key_lists
from services.org import scope as org_scope
from services.stages import theme_scope

ACTIVE_STATUS = "存续"


@dataclass
class Scope:
    industry_ids: list[int]
    region_ids: list[int]
    matter_ids: list[int]
    settings: dict
    campaign_id: int | None = None  # the campaign drawing: its own inspections are not "another campaign's"
    key_list_ids: list[int] = field(default_factory=list)  # 定向: only current members of these lists
    address_patterns: list[str] = field(default_factory=list)  # a themed action's area: any of them in the address


@dataclass
class DrawInputs:
    params: dict
    candidates: dict[str, list[str]]
    people: dict
    report: dict


def scope_of(campaign: Campaign) -> Scope:
    settings = draw_rules.effective(campaign.plan_entry.draw_settings if campaign.plan_entry else None)
    lists = [k.id for k in key_lists.lists_of(campaign.id)]
    action = theme_scope.of_campaign(campaign)
    if action is not None:  # a themed action (专项/板块): its industries and areas are the scope
        return Scope(list(action.industry_ids), list(action.region_ids) or [campaign.region_id],
                     [m.id for m in campaign.matters], settings, campaign.id, key_list_ids=lists,
                     address_patterns=list(action.address_patterns))
    industries = [campaign.industry_id] + [i for i in settings["extra_industry_ids"] if i != campaign.industry_id]
    return Scope(industries, list(settings["region_ids"]) or [campaign.region_id],
                 [m.id for m in campaign.matters], settings, campaign.id, key_list_ids=lists)


def gather(campaign: Campaign) -> DrawInputs:
    scope = scope_of(campaign)
    settings = scope.settings
    _serialize_draws(scope.matter_ids)
    candidates, excluded = candidates_for(scope)
    people = people_for(campaign, settings, {u for v in candidates.values() for u in v}, scope.matter_ids)
    ratios = draw_rules.draw_ratios(campaign.ratios, settings)
    raised = key_lists.raised_of(campaign.id)
    candidates, ratios = key_lists.raise_stratum(raised, candidates, ratios)
    params = {
        "mode": settings["mode"], "ratios": ratios, "min_per_class": int(settings["min_per_class"]),
        "min_officers": _min_officers(), "officers_per_department": int(settings["officers_per_department"]),
        "lead_department_id": campaign.lead_department_id,
        "experts_per_enterprise": int(settings["experts_per_enterprise"]) if settings.get("expert_field") else 0,
        "scope": {"industry_ids": scope.industry_ids, "region_ids": scope.region_ids,
                  "matter_ids": scope.matter_ids, "target": settings["target"] if settings["mode"] == "targeted" else {}},
    }
    if scope.key_list_ids:  # only when used, so draws without lists keep their parameters as before
        params["scope"]["key_list_ids"] = scope.key_list_ids
    if raised:
        params["scope"]["raised_key_lists"] = {str(k): v for k, v in raised.items()}
    if scope.address_patterns:  # only themed actions carry it, so every other draw's parameters stay as they were
        params["scope"]["address_patterns"] = scope.address_patterns
    sizes = {c: algorithm.sample_size(len(v), ratios.get(c, 0), params["min_per_class"])
             for c, v in sorted(candidates.items())}
    total, drawn = sum(len(v) for v in candidates.values()), sum(sizes.values())
    report = {
        "excluded": excluded,
        "classes": {c: {"candidates": len(candidates[c]), "ratio": ratios.get(c, "0"), "size": sizes[c]}
                    for c in sorted(candidates)},
        "zero_reasons": {c: r for c, r in settings["zero_reasons"].items() if ratios.get(c) == "0"},
        "exclusion_settings": {k: settings[k] for k in ("exclude_inactive", "exclude_inspected_months",
                                                          "exclude_open_case")},
        "candidates": total, "planned": drawn,
        "warnings": [w for w in [draw_rules.floor_warning(drawn, total)] if w],
        "officers_excluded_certificate": certificate_exclusions(campaign),
    }
    return DrawInputs(params, candidates, people, report)


def _min_officers() -> int:
    from flask import current_app
    return int(current_app.config["MIN_OFFICERS_PER_ENTERPRISE"])


def _scope_filter(scope: Scope):
    # A region stands for its subtree: a city-wide campaign draws from its districts' enterprises.
    in_regions = Enterprise.region_id.in_(sorted({i for r in scope.region_ids for i in org_scope.subtree_ids(r)}))
    conditions = [Enterprise.industry_id.in_(scope.industry_ids), in_regions]
    if scope.key_list_ids:
        conditions.append(key_lists.members_clause(scope.key_list_ids, Enterprise.id))
    if scope.address_patterns:
        conditions.append(or_(*[Enterprise.address.contains(p, autoescape=True) for p in scope.address_patterns]))
    target = scope.settings["target"] if scope.settings["mode"] == "targeted" else {}
    if target.get("credit_classes"):
        conditions.append(Enterprise.credit_class.in_(target["credit_classes"]))
    if target.get("name_contains"):
        conditions.append(Enterprise.name.contains(target["name_contains"], autoescape=True))
    if target.get("address_contains"):
        conditions.append(Enterprise.address.contains(target["address_contains"], autoescape=True))
    if target.get("entity") == "company":
        conditions.append(Enterprise.uscc.like("91%"))
    elif target.get("entity") == "sole_trader":
        conditions.append(Enterprise.uscc.like("92%"))
    return and_(*conditions)


def candidates_for(scope: Scope) -> tuple[dict[str, list[str]], dict]:
    """Class -> sorted USCCs after the plan's exclusions, and counts per exclusion reason.

    An enterprise excluded for several reasons is counted once, under the first: status,
    recent inspection, open case, open inspection in another campaign.
    """
    settings, where = scope.settings, _scope_filter(scope)
    excluded: dict = {"inactive": {}, "inspected_recently": 0, "open_case": 0, "open_inspection": 0}
    keep = Enterprise.status == ACTIVE_STATUS if settings["exclude_inactive"] else true()
    found = _exclusion_rules(scope)  # their few thousand USCCs, taken out of each group as it is split
    anywhere = set().union(*(usccs for _, usccs in found))
    hits: set[str] = set()
    # One string per status and class, joined by the database from the covering scope index: a million-row
    # scope costs no Python object per row until the split. The order inside a string is not relied on:
    # USCCs are sorted in Python, by code point, the same on every database (near O(n) when the rows come
    # in index order; PostgreSQL's ORDER BY would follow the locale's collation).
    by_class: dict[str, list[str]] = {}
    for status, credit_class, count, text in db.session.execute(_joined_by_group(where, keep)):
        if text is None:  # a status left out (注销, 吊销…): only counted
            excluded["inactive"][status] = excluded["inactive"].get(status, 0) + count
            continue
        usccs = text.split("\n")
        present = anywhere.intersection(usccs)
        if present:
            usccs = [u for u in usccs if u not in present]
            hits |= present
        by_class.setdefault(credit_class, []).extend(usccs)
    for reason, usccs in found:
        in_scope = usccs & hits
        excluded[reason] = len(in_scope)
        hits -= in_scope
    if settings["mode"] == "random":
        candidates = {algorithm.WHOLE_SCOPE: [u for usccs in by_class.values() for u in usccs]}
    else:
        candidates = {c: [] for c in draw_rules.CLASSES}
        candidates.update((c, usccs) for c, usccs in by_class.items() if usccs)
    for usccs in candidates.values():
        usccs.sort()
    return candidates, excluded


def _joined_by_group(where, keep):
    """(status, class, count, kept USCCs joined with newlines or NULL) per status and class of the scope.

    SQLite's GROUP BY walks the scope index, USCCs in order. PostgreSQL would aggregate in heap order (the
    import's), and asked for an ordered aggregate it sorts each group apart, spilling to disk at a million
    rows: fed instead by a subquery in index order (status, class, USCC), a one-industry one-region scope is
    an index-only scan aggregated as it streams, and a wider one is sorted once.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return (select(Enterprise.status, Enterprise.credit_class, func.count(),
                       func.group_concat(case((keep, Enterprise.uscc)), "\n"))
                .where(where).group_by(Enterprise.status, Enterprise.credit_class))
    rows = (select(Enterprise.status, Enterprise.credit_class, Enterprise.uscc, keep.label("kept")).where(where)
            .order_by(Enterprise.status, Enterprise.credit_class, Enterprise.uscc).subquery())
    return (select(rows.c.status, rows.c.credit_class, func.count(),
                   func.string_agg(case((rows.c.kept, rows.c.uscc)), literal("\n")))
            .group_by(rows.c.status, rows.c.credit_class))


def _exclusion_rules(scope: Scope) -> list[tuple[str, set[str]]]:
    """(reason, USCCs) for each exclusion rule the plan applies, in the order reasons are counted.

    Each rule's enterprises are read by id alone (thousands, not the scope's million: with the scope's
    conditions too, SQLite would walk the whole scope index), to be matched to the scope by set lookups.
    """
    settings, months = scope.settings, int(scope.settings["exclude_inspected_months"])
    rules = [("inspected_recently", _inspected_since(scope.matter_ids, _months_before(clock.today(), months))
              if months else None),
             ("open_case", _open_cases(scope.matter_ids) if settings["exclude_open_case"] else None),
             ("open_inspection", _open_inspections(scope.matter_ids, scope.campaign_id))]
    return [(reason, set(db.session.scalars(_usccs_of(ids)))) for reason, ids in rules if ids is not None]


def _months_before(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _inspected_since(matter_ids: list[int], since: date):
    """SELECT of the enterprises with a final inspection of one of these matters on or after `since`."""
    return (select(Inspection.enterprise_id).join(ItemResult, ItemResult.inspection_id == Inspection.id)
            .join(ChecklistItem, ChecklistItem.id == ItemResult.checklist_item_id)
            .where(ChecklistItem.matter_id.in_(matter_ids), Inspection.submitted_at.is_not(None),
                   Inspection.inspected_on >= since))


def _open_inspections(matter_ids: list[int], campaign_id: int | None):
    """SELECT of the enterprises with an inspection not yet submitted in another active campaign sharing one of
    these matters.

    一业一查 exists to prevent repeated visits: an enterprise already drawn for a matter in a campaign still
    under way is not drawn for it again (always on; the 12-month rule covers the finished inspections).
    """
    sharing = select(campaign_matter.c.campaign_id).where(campaign_matter.c.matter_id.in_(matter_ids))
    query = (select(Inspection.enterprise_id).join(Campaign, Campaign.id == Inspection.campaign_id)
             .where(Inspection.status != "submitted", Campaign.status == "active", Inspection.campaign_id.in_(sharing)))
    if campaign_id is not None:
        query = query.where(Inspection.campaign_id != campaign_id)
    return query


def under_inspection_elsewhere(campaign: Campaign, usccs: set[str]) -> set[str]:
    """Those of `usccs` with an open inspection for a shared matter in another active campaign, now.

    Asked again when a committed draw is executed after its reveal delay: a draw executed meanwhile
    by another campaign may have opened inspections for enterprises of the committed snapshot.
    """
    if not usccs:
        return set()
    ids = _open_inspections([m.id for m in campaign.matters], campaign.id)
    return set(db.session.scalars(_usccs_of(ids))) & usccs


def _usccs_of(ids):
    """SELECT of the USCCs of the enterprises `ids` (a SELECT of enterprise ids) names.

    SQLite looks each id up by rowid. PostgreSQL, given `id IN (…)`, hash-joins the whole directory (a
    parallel scan of a million rows) to find the ten thousand a rule names: a scalar subquery per id is an
    index probe instead.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return select(Enterprise.uscc).where(Enterprise.id.in_(ids))
    chosen = ids.distinct().subquery()
    uscc = select(Enterprise.uscc).where(Enterprise.id == list(chosen.c)[0]).correlate(chosen).scalar_subquery()
    return select(uscc).select_from(chosen)


def _serialize_draws(matter_ids: list[int]) -> None:
    """Two draws sharing a matter run one after the other (PostgreSQL): the second sees the first's inspections.

    The matter rows are locked in id order until the drawing transaction commits. FOR NO KEY UPDATE
    conflicts only with itself and stronger locks, so rows referencing the matters are still written.
    SQLite runs one writing transaction at a time anyway.
    """
    if matter_ids and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Matter.id).where(Matter.id.in_(sorted(matter_ids))).order_by(Matter.id)
                           .with_for_update(key_share=True))


def _open_cases(matter_ids: list[int]):
    """SELECT of the enterprises with an open case for one of these matters."""
    return select(Case.enterprise_id).where(Case.status == "open", Case.matter_id.in_(matter_ids))


def _certificate_valid(today: date):
    """执法证: not suspended and not expired (no recorded expiry date = valid: rows from before org000000001)."""
    return and_(User.cert_suspended.is_(False), or_(User.cert_valid_until.is_(None), User.cert_valid_until >= today))


def certificate_exclusions(campaign: Campaign) -> int:
    """How many active officials of the confirmed departments were left out for an expired or suspended 执法证."""
    departments = [d.department_id for d in campaign.departments if d.status == "confirmed"]
    return db.session.scalar(select(func.count(func.distinct(User.id))).join(UserRole).where(
        User.department_id.in_(departments), User.active.is_(True), UserRole.role == "official",
        ~_certificate_valid(clock.today()))) or 0


def people_for(campaign: Campaign, settings: dict, candidates: set[str], matter_ids: list[int]) -> dict:
    """Officers per participating department, experts, and for each candidate who may not go there."""
    departments = sorted(d.department_id for d in campaign.departments if d.status == "confirmed")
    officers: dict[int, list[int]] = {d: [] for d in departments}
    for department_id, user_id in db.session.execute(
            select(User.department_id, User.id).join(UserRole).where(
                User.department_id.in_(departments), User.active.is_(True), UserRole.role == "official",
                _certificate_valid(clock.today()))
            .order_by(User.id)).all():
        officers[department_id].append(user_id)
    names = dict(db.session.execute(select(Department.id, Department.name).where(Department.id.in_(departments))).all())
    pool = {u for people in officers.values() for u in people}
    barred: dict[str, set[int]] = {}
    pairs = db.session.execute(select(OfficerConflict.user_id, Enterprise.uscc).join(Enterprise).where(
        OfficerConflict.user_id.in_(pool))).all()
    pairs += db.session.execute(select(RecusalRequest.user_id, Enterprise.uscc).join(Enterprise).where(
        RecusalRequest.user_id.in_(pool))).all()
    pairs += _previous_inspectors(matter_ids, pool)
    for user_id, uscc in pairs:
        if uscc in candidates:
            barred.setdefault(uscc, set()).add(user_id)
    people = {"departments": {str(d): officers[d] for d in departments},
              "department_names": {str(d): names[d] for d in departments},
              "excluded_officers": {u: sorted(v) for u, v in sorted(barred.items())},
              "experts": [], "excluded_experts": {}}
    if settings.get("expert_field") and int(settings["experts_per_enterprise"]) > 0:
        people["experts"], people["excluded_experts"] = _experts(settings["expert_field"], candidates)
    return people


def _previous_inspectors(matter_ids: list[int], pool: set[int]) -> list[tuple[int, str]]:
    """(officer, USCC) pairs: who did the latest final inspection of each enterprise for each matter."""
    if not matter_ids or not pool:
        return []
    rows = db.session.execute(
        select(Inspection.enterprise_id, ChecklistItem.matter_id, Inspection.id, Inspection.submitted_at)
        .join(ItemResult, ItemResult.inspection_id == Inspection.id)
        .join(ChecklistItem, ChecklistItem.id == ItemResult.checklist_item_id)
        .where(ChecklistItem.matter_id.in_(matter_ids), Inspection.submitted_at.is_not(None)).distinct()).all()
    latest: dict[tuple[int, int], tuple] = {}
    for enterprise_id, matter_id, inspection_id, submitted_at in rows:
        key = (enterprise_id, matter_id)
        if key not in latest or (submitted_at, inspection_id) > latest[key]:
            latest[key] = (submitted_at, inspection_id)
    inspection_ids = {inspection_id for _, inspection_id in latest.values()}
    if not inspection_ids:
        return []
    return [(u, uscc) for u, uscc in db.session.execute(
        select(InspectionOfficer.user_id, Enterprise.uscc).join(Inspection, Inspection.id == InspectionOfficer.inspection_id)
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .where(Inspection.id.in_(inspection_ids))).all() if u in pool]


def _experts(expert_field: str, candidates: set[str]) -> tuple[list[int], dict[str, list[int]]]:
    experts = list(db.session.scalars(select(Expert.id).where(Expert.field == expert_field, Expert.active.is_(True))
                                      .order_by(Expert.id)))
    barred: dict[str, set[int]] = {}
    pairs = db.session.execute(select(ExpertConflict.expert_id, Enterprise.uscc).join(Enterprise)
                               .where(ExpertConflict.expert_id.in_(experts))).all()
    pairs += db.session.execute(select(RecusalRequest.expert_id, Enterprise.uscc).join(Enterprise)
                                .where(RecusalRequest.expert_id.in_(experts))).all()
    for expert_id, uscc in pairs:
        if uscc in candidates:
            barred.setdefault(uscc, set()).add(expert_id)
    return experts, {u: sorted(v) for u, v in sorted(barred.items())}


def counts_in_scope(industry_id: int, region_id: int) -> dict[str, int]:
    """How many active enterprises per credit class a draw in this scope would choose from (before exclusions)."""
    rows = db.session.execute(select(Enterprise.credit_class, func.count()).where(
        Enterprise.industry_id == industry_id, Enterprise.region_id == region_id,
        Enterprise.status == ACTIVE_STATUS).group_by(Enterprise.credit_class)).all()
    return {credit_class: count for credit_class, count in rows}

