"""Named areas (a street, a scenic zone, a 板块): a list of regions or address keywords, kept per region and
reused by themed actions (services/stages/themes.py), which copy the area's scope when requested."""
from sqlalchemy import select

from extensions import db
from models import Department, NamedArea, Region, User
from services import audit
from services.errors import Forbidden, ValidationFailed
from services.org import scope
from services.workflow import clock

MAX_PATTERNS = 10


def home_region(actor: User) -> int | None:
    """The region whose areas the actor keeps and uses: its department's, or a supervisor's own."""
    if actor.department_id is not None:
        return db.session.get(Department, actor.department_id).region_id
    return actor.region_id if actor.has_role("supervisor") else None


def usable(actor: User) -> list[NamedArea]:
    """The areas of the actor's region and of the regions above it."""
    region = home_region(actor)
    if region is None:
        return []
    return list(db.session.scalars(select(NamedArea).where(NamedArea.region_id.in_(scope.ancestors(region)))
                                   .order_by(NamedArea.name, NamedArea.id)))


def described(actor: User) -> list[tuple[NamedArea, list[str], list[str]]]:
    """The usable areas with their regions' names and their address keywords, for the page."""
    out = []
    for area in usable(actor):
        names = list(db.session.scalars(select(Region.name).where(Region.id.in_(area.region_ids)).order_by(Region.code)))
        out.append((area, names, list(area.address_patterns)))
    return out


def create(actor: User, *, name: str, region_ids: list[int], address_patterns: list[str]) -> NamedArea:
    region = home_region(actor)
    if region is None or not actor.has_role("official", "department_admin", "supervisor"):
        raise Forbidden("只有部门执法人员或联席会办公室可以维护命名区域")
    name = (name or "").strip()
    patterns = clean_patterns(address_patterns)
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        errors["name"] = ["请填写区域名称（不超过 100 字）"]
    elif db.session.scalar(select(NamedArea.id).where(NamedArea.region_id == region, NamedArea.name == name)):
        errors["name"] = ["本区域已有同名的命名区域"]
    regions = list(db.session.scalars(select(Region.id).where(Region.id.in_(region_ids))))
    if len(regions) != len(set(region_ids)) or not set(regions) <= set(scope.subtree_ids(region)):
        errors["region_ids"] = ["区域必须在本部门所在区域内"]
    if bool(regions) == bool(patterns):
        errors["address_patterns"] = ["命名区域由若干区域或地址关键词组成，二者选一"]
    elif len(patterns) > MAX_PATTERNS or any(len(p) > 50 for p in patterns):
        errors["address_patterns"] = ["地址关键词最多 10 个，每个不超过 50 字"]
    if errors:
        raise ValidationFailed(errors)
    area = NamedArea(name=name, region_id=region, region_ids=sorted(regions), address_patterns=patterns,
                     created_by_id=actor.id, created_at=clock.now())
    db.session.add(area)
    db.session.flush()
    audit.record(actor, "named_area.create", "named_area", area.id, name=name, region_ids=area.region_ids,
                 address_patterns=patterns)
    db.session.commit()
    return area


def clean_patterns(patterns: list[str]) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in patterns or [] if p and p.strip()))
