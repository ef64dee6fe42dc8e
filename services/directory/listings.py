"""The three libraries (三库): search and detail of enterprises, officials and experts, and who may edit them.

Listings are read by any logged-in user (pages and API alike); editing is for admins, and for department
admins within their own department. Searches are keyset-friendly: ordered by id, paged with LIMIT/OFFSET
for pages and by id ranges for exports, and counted only up to COUNT_CAP so a broad filter over a million
rows stays fast (the page then says "10000+").
"""
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator

from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.orm import selectinload

from domain import uscc as uscc_rules
from extensions import db
from models import (Case, Department, Enterprise, Expert, FollowUp, Industry, Inspection, ItemResult, Matter, Region,
                    User, UserRole)
from models.catalogue import ChecklistItem
from models.enterprise import CREDIT_CLASSES, STATUSES
from services import audit
from services.org import scope
from services.directory import name_search
from services.errors import Forbidden, NotFound, ValidationFailed
from services.lookup import get_or_404

COUNT_CAP = 10_000
PER_PAGE = 20
MAX_PER_PAGE = 200
EXPORT_BATCH = 2_000


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class Filters:
    """Parsed listing filters; `raw` keeps what the user typed so links and exports repeat it."""
    values: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)


# --- authorization -------------------------------------------------------------------------------

def can_edit(user: User, department_id: int | None = None) -> bool:
    """Admins edit everything; a department admin edits only their own department's people and matters."""
    if user.has_role("admin"):
        return True
    return (department_id is not None and user.has_role("department_admin")
            and user.department_id == department_id)


def require_editor(user: User, department_id: int | None = None) -> None:
    if not can_edit(user, department_id):
        if user.has_role("department_admin") and department_id is not None:
            raise Forbidden("部门管理员只能维护本部门的人员和事项")
        raise Forbidden("只有系统管理员或部门管理员可以维护名录库")


# --- filters -------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(raw: dict, name: str) -> str | None:
    """A free-text filter without control characters: no name holds one, and a NUL breaks FTS5 MATCH on SQLite and
    every text parameter on PostgreSQL (found by schemathesis)."""
    return _CONTROL.sub("", raw.get(name) or "").strip() or None


def _int(raw: dict, name: str, errors: dict) -> int | None:
    value = (raw.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit():
        errors[name] = ["应为数字"]
        return None
    return int(value)


def _choice(raw: dict, name: str, allowed, errors: dict) -> str | None:
    value = (raw.get(name) or "").strip()
    if value and value not in allowed:
        errors[name] = [f"应为 {'、'.join(allowed)} 之一"]
        return None
    return value or None


def enterprise_filters(raw, viewer: User | None = None) -> Filters:
    """q (name or USCC), uscc (prefix), industry_id, region_id, credit_class, status."""
    errors: dict = {}
    values = {
        "q": _text(raw, "q"),
        "uscc": uscc_rules.normalize(_text(raw, "uscc") or "") or None,
        "industry_id": _int(raw, "industry_id", errors),
        "region_id": _int(raw, "region_id", errors),
        "credit_class": _choice(raw, "credit_class", CREDIT_CLASSES, errors),
        "status": _choice(raw, "status", STATUSES, errors),
    }
    if errors:
        raise ValidationFailed(errors)
    return Filters({**values, "viewer": viewer}, {k: raw.get(k) for k in values if raw.get(k)})


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _uscc_prefix(column, prefix: str):
    # A range instead of LIKE, so both SQLite and PostgreSQL use the unique index on uscc.
    return and_(column >= prefix, column < prefix + "~")


def _name_contains(q: str):
    return name_search.name_contains(q, COUNT_CAP)  # indexed for every length on SQLite: see services/name_search.py


def _enterprise_where(f: dict) -> list:
    clauses = []
    if f.get("q"):
        code = uscc_rules.normalize(f["q"])
        looks_like_code = len(code) >= 6 and code.isascii() and code.isalnum() and any(c.isdigit() for c in code)
        clauses.append(_uscc_prefix(Enterprise.uscc, code) if looks_like_code else _name_contains(f["q"]))
    if f.get("uscc"):
        clauses.append(_uscc_prefix(Enterprise.uscc, f["uscc"]))
    for name in ("industry_id", "region_id", "credit_class", "status"):
        if f.get(name) is not None:
            clauses.append(getattr(Enterprise, name) == f[name])
    if f.get("viewer") is not None:
        clauses.append(scope.clause(f["viewer"], Enterprise.region_id))
    return clauses


def _paged(query: Select, page: int, per_page: int, order_by, *loaders) -> Page:
    per_page = max(1, min(per_page or PER_PAGE, MAX_PER_PAGE))
    page = max(1, page or 1)
    capped_count = select(func.count()).select_from(
        query.with_only_columns(literal(1), maintain_column_froms=True).order_by(None).limit(COUNT_CAP + 1).subquery())
    total = db.session.scalar(capped_count)
    items = db.session.scalars(query.options(*loaders).order_by(order_by).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), min(total, COUNT_CAP), page, per_page, capped=total > COUNT_CAP)


def search_enterprises(filters: Filters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    query = select(Enterprise).where(*_enterprise_where(filters.values))
    return _paged(query, page, per_page, Enterprise.id,
                  selectinload(Enterprise.industry), selectinload(Enterprise.region))


def iter_enterprises(filters: Filters) -> Iterator[Enterprise]:
    """Every matching enterprise in id order, fetched in batches by id range (memory stays flat)."""
    industries = {i.id: i for i in db.session.scalars(select(Industry))}
    regions = {r.id: r for r in db.session.scalars(select(Region))}
    where, last_id = _enterprise_where(filters.values), 0
    while True:
        rows = db.session.execute(select(Enterprise.__table__).where(*where, Enterprise.id > last_id)
                                  .order_by(Enterprise.id).limit(EXPORT_BATCH)).all()
        if not rows:
            return
        for row in rows:
            yield row, industries.get(row.industry_id), regions.get(row.region_id)
        last_id = rows[-1].id


def get_enterprise(enterprise_id: int, viewer: User | None = None) -> Enterprise:
    """One enterprise; outside the viewer's regions it does not exist for them (404, not a hint that it does)."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or (viewer is not None and not scope.covers(viewer, enterprise.region_id)):
        raise NotFound("经营主体不存在")
    return enterprise


def find_by_uscc(code: str) -> Enterprise | None:
    return db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc_rules.normalize(code)))


@dataclass
class EnterpriseHistory:
    enterprise: Enterprise
    inspections: list[Inspection]
    follow_ups: list[FollowUp]
    cases: list[Case]
    last_inspected: list[tuple[Matter, date]]
    failed_items: dict[int, int]


def enterprise_history(viewer: User, enterprise_id: int) -> EnterpriseHistory:
    """The detail page: inspections (campaign, result), follow-ups, cases, and last inspection per matter; results
    and follow-ups only of campaigns the viewer may see (services/stages/participation.py)."""
    from services.stages import participation  # stages build on the directory, not the other way round
    enterprise = get_enterprise(enterprise_id, viewer)
    seen = participation.campaign_condition(viewer, Inspection.campaign_id)
    inspections = db.session.scalars(select(Inspection).where(Inspection.enterprise_id == enterprise.id, seen)
                                     .options(selectinload(Inspection.campaign), selectinload(Inspection.follow_ups))
                                     .order_by(Inspection.inspected_on.desc().nulls_last(), Inspection.id.desc())).all()
    cases = db.session.scalars(select(Case).where(Case.enterprise_id == enterprise.id, or_(
        participation.campaign_condition(viewer, Case.campaign_id), Case.department_id == viewer.department_id))
        .order_by(Case.id.desc())).all()
    failed = dict(db.session.execute(
        select(ItemResult.inspection_id, func.count()).join(Inspection, Inspection.id == ItemResult.inspection_id)
        .where(Inspection.enterprise_id == enterprise.id, ItemResult.result == "fail", seen)
        .group_by(ItemResult.inspection_id)).all())
    return EnterpriseHistory(enterprise, list(inspections), [f for i in inspections for f in i.follow_ups],
                             list(cases), last_inspected(enterprise.id), failed)


def last_inspected(enterprise_id: int) -> list[tuple[Matter, date]]:
    """Per matter, the latest date an inspection recorded a result on one of its checklist items.

    This is what the draw's one-inspection-per-matter-per-year rule needs; an item marked not
    applicable still counts, since the matter was looked at."""
    latest = func.max(Inspection.inspected_on)
    rows = db.session.execute(
        select(Matter, latest).join(ChecklistItem, ChecklistItem.matter_id == Matter.id)
        .join(ItemResult, ItemResult.checklist_item_id == ChecklistItem.id)
        .join(Inspection, Inspection.id == ItemResult.inspection_id)
        .where(Inspection.enterprise_id == enterprise_id, Inspection.inspected_on.is_not(None))
        .group_by(Matter.id).order_by(latest.desc(), Matter.id)).all()
    return [(matter, day) for matter, day in rows]


# --- officials -----------------------------------------------------------------------------------

def official_filters(raw, viewer: User | None = None) -> Filters:
    errors: dict = {}
    values = {
        "q": _text(raw, "q"),
        "department_id": _int(raw, "department_id", errors),
        "region_id": _int(raw, "region_id", errors),
        "specialty": _text(raw, "specialty"),
        "active": _choice(raw, "active", ("1", "0"), errors),
    }
    if errors:
        raise ValidationFailed(errors)
    return Filters({**values, "viewer": viewer}, {k: raw.get(k) for k in values if raw.get(k)})


def _official_query(f: dict) -> Select:
    query = select(User).where(User.roles.any(UserRole.role == "official"))
    if f.get("q"):
        pattern = _like(f["q"])
        query = query.where(or_(User.display_name.like(pattern, escape="\\"), User.username.like(pattern, escape="\\"),
                                User.cert_no.like(pattern, escape="\\")))
    if f.get("department_id") is not None:
        query = query.where(User.department_id == f["department_id"])
    if f.get("region_id") is not None:
        query = query.where(User.region_id == f["region_id"])
    if f.get("specialty"):
        query = query.where(User.specialties.like(_like(f["specialty"]), escape="\\"))
    if f.get("active") is not None:
        query = query.where(User.active.is_(f["active"] == "1"))
    if f.get("viewer") is not None:
        query = query.where(scope.department_clause(f["viewer"], User.department_id))
    return query


def search_officials(filters: Filters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    return _paged(_official_query(filters.values), page, per_page, User.id,
                  selectinload(User.department), selectinload(User.roles))


def iter_officials(filters: Filters) -> Iterator[User]:
    yield from db.session.scalars(_official_query(filters.values).options(selectinload(User.department))
                                  .order_by(User.id))


def get_official(user_id: int, viewer: User | None = None) -> User:
    official = db.session.get(User, user_id)
    if official is None or not official.has_role("official") or (
            viewer is not None and not scope.covers_department(viewer, official.department_id)):
        raise NotFound("执法人员不存在")
    return official


def update_official(actor: User, user_id: int, *, specialties: str | None, active: bool,
                    cert_no: str | None) -> User:
    official = get_official(user_id, actor)
    require_editor(actor, official.department_id)
    cert_no = (cert_no or "").strip() or None
    if cert_no and db.session.scalar(select(User.id).where(User.cert_no == cert_no, User.id != official.id)):
        raise ValidationFailed({"cert_no": ["执法证号已被其他人员使用"]})
    before = {"specialties": official.specialties, "active": official.active, "cert_no": official.cert_no}
    official.specialties = (specialties or "").strip() or None
    official.active, official.cert_no = active, cert_no
    audit.record(actor, "directory.official_update", "user", official.id, before=before,
                 after={"specialties": official.specialties, "active": active, "cert_no": cert_no})
    db.session.commit()
    return official


# --- experts -------------------------------------------------------------------------------------

def expert_filters(raw) -> Filters:
    errors: dict = {}
    values = {"q": _text(raw, "q"), "field": _text(raw, "field"),
              "active": _choice(raw, "active", ("1", "0"), errors)}
    if errors:
        raise ValidationFailed(errors)
    return Filters(values, {k: raw.get(k) for k in values if raw.get(k)})


def _expert_query(f: dict) -> Select:
    query = select(Expert)
    if f.get("q"):
        pattern = _like(f["q"])
        query = query.where(or_(Expert.name.like(pattern, escape="\\"), Expert.organisation.like(pattern, escape="\\"),
                                Expert.cert_no == f["q"]))
    if f.get("field"):
        query = query.where(Expert.field.like(_like(f["field"]), escape="\\"))
    if f.get("active") is not None:
        query = query.where(Expert.active.is_(f["active"] == "1"))
    return query


def search_experts(filters: Filters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    return _paged(_expert_query(filters.values), page, per_page, Expert.id)


def iter_experts(filters: Filters) -> Iterator[Expert]:
    yield from db.session.scalars(_expert_query(filters.values).order_by(Expert.id))


def get_expert(expert_id: int) -> Expert:
    return get_or_404(Expert, expert_id, "专家不存在")


# --- option lists for filter forms ---------------------------------------------------------------

def options(viewer: User | None = None) -> dict:
    """Filter choices; with a viewer, only the regions and departments of their scope."""
    regions, departments = select(Region).order_by(Region.code), select(Department).order_by(Department.id)
    if viewer is not None:
        regions = regions.where(scope.clause(viewer, Region.id))
        departments = departments.where(scope.clause(viewer, Department.region_id))
    return {"industries": db.session.scalars(select(Industry).order_by(Industry.code)).all(),
            "regions": db.session.scalars(regions).all(),
            "departments": db.session.scalars(departments).all(),
            "credit_classes": CREDIT_CLASSES, "statuses": STATUSES}
