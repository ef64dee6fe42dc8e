"""Campaigns ready to draw, built through the plan service (no HTTP), for the draw tests."""
from datetime import date

from sqlalchemy import select

from extensions import db
from models import Campaign, CampaignDepartment, Department, Enterprise, Industry, User
from services.stages import plans


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def department(code: str) -> Department:
    return db.session.scalars(select(Department).where(Department.code == code)).one()


def campaign_ready(partners=("wjw",), ratios=None, settings=None, industry_code="6110") -> Campaign:
    """An approved plan's campaign whose partners have confirmed: the state the draw starts from."""
    industry = db.session.scalars(select(Industry).where(Industry.code == industry_code)).one()
    lead = department("scjg")
    partner_ids = [department(code).id for code in partners]
    matters = [m.id for m in industry.matters if m.department_id in {lead.id, *partner_ids}]
    supervisor = user("supervisor")
    entry = plans.create_entry(supervisor, {
        "year": date.today().year, "industry_id": industry.id, "lead_department_id": lead.id,
        "partner_department_ids": partner_ids, "matter_ids": matters,
        "ratios": ratios or {"A": 3.0, "B": 5.0, "C": 20.0, "D": 60.0}, "method": "实地检查", "timing": "测试",
        "draw_settings": settings or {}})
    plans.approve_entry(supervisor, entry.id)
    campaign = db.session.scalars(select(Campaign).where(Campaign.plan_entry_id == entry.id)).one()
    for department_id in partner_ids:
        campaign.departments.append(CampaignDepartment(department_id=department_id, role="partner",
                                                       status="confirmed"))
    db.session.commit()
    return campaign


def in_scope(campaign: Campaign, **filters) -> list[Enterprise]:
    return list(db.session.scalars(select(Enterprise).where(
        Enterprise.industry_id == campaign.industry_id, Enterprise.region_id == campaign.region_id,
        *[getattr(Enterprise, k) == v for k, v in filters.items()]).order_by(Enterprise.uscc)))


def officials(code: str) -> list[User]:
    dept = department(code)
    return [u for u in db.session.scalars(select(User).where(User.department_id == dept.id).order_by(User.id))
            if u.has_role("official")]
