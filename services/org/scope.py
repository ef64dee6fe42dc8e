"""Scoped authority: which regions a user's roles reach. The one place that decides it.

Choice (docs/org.md): every role a user holds is held for the subtree of the user's own region
(`User.region_id`). A county supervisor's region is the county, so their scope is the county and its
乡镇/街道; a city supervisor's is the city and every district below it (the roll-up); a user without a region
holds their roles for the whole platform (the top level: a provincial platform's operators, the first admin
created by `flask users create` without --region). Roles stay as they are; the scope is orthogonal to them,
so the "auditor" role (read-only 纪检监察) is scoped by this helper too.

Queries take `clause(user, column)` (the subtree's ids, found by one recursive CTE over the region table and
passed as a constant list so the planner can use the region indexes); single objects go through
`require(user, region_id)`.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, or_, select, true

from extensions import db
from models import Campaign, CampaignDepartment, Department, Region, User, UserRole
from services.errors import Forbidden


def root(user: User) -> int | None:
    """The region at the top of the user's scope; None = the whole platform."""
    return user.region_id


def is_platform_wide(user: User) -> bool:
    return root(user) is None


def subtree(region_id: int) -> Select:
    """SELECT of the ids of `region_id` and every region below it (a recursive CTE; SQLite and PostgreSQL)."""
    tree = select(Region.id).where(Region.id == region_id).cte(recursive=True)
    tree = tree.union_all(select(Region.id).where(Region.parent_id == tree.c.id))
    return select(tree.c.id)


def subtree_ids(region_id: int) -> list[int]:
    """The subtree's ids as a list: a province is ~100 counties (a few thousand with townships), and a
    constant IN list lets PostgreSQL use the (region_id, …) indexes with real row estimates; a CTE inside the
    big queries made it guess and scan (bench/province.py: a county's draw 8x slower in a province)."""
    return sorted(db.session.scalars(subtree(region_id)))


def clause(user: User, region_column) -> ColumnElement[bool]:
    """`region_column IN the user's subtree`, or TRUE for a platform-wide user."""
    top = root(user)
    return true() if top is None else region_column.in_(subtree_ids(top))


def department_clause(user: User, department_column) -> ColumnElement[bool]:
    """`department_column` names a department of the user's subtree."""
    if is_platform_wide(user):
        return true()
    return department_column.in_(select(Department.id).where(clause(user, Department.region_id)))


def campaign_clause(user: User) -> ColumnElement[bool]:
    """Campaigns the user may see: of a region in their subtree, or with one of their subtree's departments
    taking part (区域联查: a joint campaign is visible from both regions; acting on it is the lead's region's)."""
    if is_platform_wide(user):
        return true()
    # IN (uncorrelated subquery), not a correlated EXISTS: PostgreSQL hashes it once per statement.
    ids = subtree_ids(root(user))
    taking_part = select(CampaignDepartment.campaign_id).join(
        Department, Department.id == CampaignDepartment.department_id).where(Department.region_id.in_(ids))
    return or_(Campaign.region_id.in_(ids), Campaign.id.in_(taking_part))


def covers_campaign(user: User, campaign: Campaign) -> bool:
    return covers(user, campaign.region_id) or any(covers_department(user, part.department_id)
                                                   for part in campaign.departments)


def region_ids(user: User) -> set[int] | None:
    """The subtree's ids; None for a platform-wide user."""
    top = root(user)
    return None if top is None else set(subtree_ids(top))


def ancestors(region_id: int) -> list[int]:
    """`region_id` and its ancestors, nearest first (at most four levels: a few primary-key reads)."""
    chain: list[int] = []
    current: int | None = region_id
    while current is not None and current not in chain:
        chain.append(current)
        current = db.session.scalar(select(Region.parent_id).where(Region.id == current))
    return chain


def covers(user: User, region_id: int | None) -> bool:
    """Whether `region_id` lies in the user's subtree (an object without a region: platform-wide users only)."""
    top = root(user)
    if top is None:
        return True
    return region_id is not None and top in ancestors(region_id)


def covers_department(user: User, department_id: int | None) -> bool:
    if department_id is None:
        return is_platform_wide(user)
    return covers(user, db.session.scalar(select(Department.region_id).where(Department.id == department_id)))


def require(user: User, region_id: int | None, message: str = "该事项不在您的管辖区域内") -> None:
    if not covers(user, region_id):
        raise Forbidden(message)


def require_department(user: User, department_id: int | None, message: str = "该部门不在您的管辖区域内") -> None:
    if not covers_department(user, department_id):
        raise Forbidden(message)


def supervisors_over(region_id: int | None) -> list[User]:
    """The active supervisors whose scope holds the region: its own, its city's and province's, and the
    platform-wide ones (only those for no region). Whom a late or unasked-for piece of work there is told."""
    holders = ancestors(region_id) if region_id is not None else []
    return list(db.session.scalars(select(User).join(UserRole).where(
        UserRole.role == "supervisor", User.active.is_(True),
        or_(User.region_id.is_(None), User.region_id.in_(holders))).order_by(User.id)))
