"""Scoped authority (services/org/scope.py): each role acts only within its region's subtree.

The demo tree: 湖北省 → 黄冈市 → 蕲春县 (supervisor), 安徽省 → 安庆市 → 太湖县 (th_supervisor); hg_supervisor
holds 黄冈市. A second 黄冈 district (武穴市) is added here so the city's roll-up has two districts.
"""
from datetime import date

import pytest
from sqlalchemy import func, select

from extensions import db
from models import AuditRecord, Campaign, Department, Industry, PlanEntry, Region, User
from services.errors import Forbidden, ValidationFailed
from services.org import scope
from services.stages import initiation, plans, review
from services.supervision import dashboard
from tests.services import report_dataset
from tests.services.draw_support import campaign_ready, department, user


def _plan_data(lead: Department) -> dict:
    industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
    return {"year": date.today().year, "industry_id": industry.id, "lead_department_id": lead.id,
            "partner_department_ids": [], "matter_ids": [m.id for m in industry.matters if m.department_id == lead.id],
            "ratios": {"A": 3.0, "B": 5.0, "C": 20.0, "D": 60.0}, "method": "实地检查", "timing": "测试",
            "draw_settings": {}}


def _second_district() -> Department:
    """武穴市 (421182) under 黄冈市 with its market regulation bureau and one live campaign."""
    city = db.session.scalars(select(Region).where(Region.code == "421100")).one()
    wuxue = Region(code="421182", name="武穴市", level="county", parent=city)
    bureau = Department(code="wx_scjg", name="武穴市市场监督管理局", region=wuxue, type="market_regulation")
    db.session.add_all([wuxue, bureau])
    db.session.commit()
    industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
    initiation.open_campaign(user("admin"), kind="plan", industry=industry, lead=bureau, ratios={"A": 3.0},
                             matters=list(industry.matters)[:1])
    db.session.commit()
    return bureau


def test_subtree_and_covers(app):
    with app.app_context():
        regions = {r.code: r.id for r in db.session.scalars(select(Region))}
        city = user("hg_supervisor")
        assert scope.region_ids(city) == {regions["421100"], regions["421126"]}
        assert scope.region_ids(user("supervisor")) == {regions["421126"]}
        assert scope.covers(city, regions["421126"]) and not scope.covers(city, regions["340825"])
        assert not scope.covers(user("supervisor"), regions["421100"])  # a county does not see its city
        user("admin").region_id = None
        assert scope.region_ids(user("admin")) is None and scope.covers(user("admin"), regions["340825"])


def test_taihu_supervisor_cannot_approve_a_qichun_plan_and_nothing_changes(app):
    with app.app_context():
        entry = plans.create_entry(user("supervisor"), _plan_data(department("scjg")))
        audits = db.session.scalar(select(func.count()).select_from(AuditRecord))
        with pytest.raises(Forbidden) as refused:
            plans.approve_entry(user("th_supervisor"), entry.id)
        assert refused.value.status == 403 and "管辖区域" in refused.value.message
        db.session.rollback()
        assert db.session.get(PlanEntry, entry.id).status == "draft"
        assert db.session.scalar(select(func.count()).where(Campaign.plan_entry_id == entry.id)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditRecord)) == audits
        # nor may 太湖 plan for a 蕲春 lead department; the city above 蕲春 may approve
        with pytest.raises(ValidationFailed) as bad:
            plans.create_entry(user("th_supervisor"), _plan_data(department("scjg")))
        assert "lead_department_id" in bad.value.errors
        plans.approve_entry(user("hg_supervisor"), entry.id)
        assert db.session.get(PlanEntry, entry.id).status == "approved"
        assert [e.id for e in plans.list_entries(user=user("th_supervisor"))] == []
        assert entry.id in [e.id for e in plans.list_entries(user=user("hg_supervisor"))]


def test_dashboard_county_city_and_other_province(app):
    with app.app_context():
        qichun = campaign_ready()
        wuxue = _second_district()
        def codes(username):
            return {r.code for r in dashboard.live_campaigns(user(username), dashboard.Filters()).rows}
        wuxue_code = db.session.scalars(select(Campaign.code).where(Campaign.lead_department_id == wuxue.id)).one()
        assert codes("supervisor") == {qichun.code}
        assert codes("hg_supervisor") == {qichun.code, wuxue_code}   # the city's roll-up
        assert codes("th_supervisor") == set()
        assert {c.id for c in initiation.visible_campaigns(user("th_supervisor"))} == set()
        with pytest.raises(Forbidden):
            initiation.get_campaign(user("th_supervisor"), qichun.id)
        with pytest.raises(Forbidden):
            initiation.get_campaign(user("supervisor"), db.session.scalars(
                select(Campaign.id).where(Campaign.lead_department_id == wuxue.id)).one())


def test_city_review_sums_its_districts(app):
    with app.app_context():
        report_dataset.build()
        _second_district()
        year = (date(2026, 1, 1), date(2026, 12, 31))
        county = review.period_review(user("supervisor"), *year)
        city = review.period_review(user("hg_supervisor"), *year)
        wx = db.session.scalars(select(User).where(User.username == "hg_supervisor")).one()
        wx_region = db.session.scalars(select(Region.id).where(Region.code == "421182")).one()
        wx.region_id = wx_region  # the same person, looking at the second district alone
        district = review.period_review(wx, *year)
        db.session.rollback()
        assert len(city.campaigns) == len(county.campaigns) + len(district.campaigns) and district.campaigns
        for key, value in county.totals.items():
            if isinstance(value, int) and not key.endswith("_pct"):
                assert city.totals[key] == value + district.totals.get(key, 0), key
        assert {d.code for d, _ in city.departments} >= {d.code for d, _ in county.departments}
        other = review.period_review(user("th_supervisor"), *year)
        assert other.campaigns == [] and other.departments == []


def test_role_tasks_reach_only_supervisors_in_scope(app):
    """A special action waits for the supervisor's approval: 蕲春's (and the city's) see it, 太湖's does not."""
    from services.workflow import tasks
    with app.app_context():
        industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
        campaign = initiation.request_special_action(user("scjg_01"), industry_id=industry.id, reason="投诉集中")
        def approvals(username):
            return [t.id for t in tasks.inbox(user(username))["pool"] + tasks.inbox(user(username))["mine"]
                    if t.campaign_id == campaign.id]
        assert approvals("supervisor") and approvals("hg_supervisor")
        assert approvals("th_supervisor") == []
        with pytest.raises(Forbidden):
            tasks.get_task(user("th_supervisor"), approvals("supervisor")[0])


def test_deploying_needs_a_platform_wide_designer(app):
    from pathlib import Path

    from services.designer import processes
    with app.app_context():
        xml = (Path(__file__).resolve().parents[2] / "workflows" / "referral.bpmn").read_text(encoding="utf-8")
        county = user("designer")
        county.region_id = db.session.scalars(select(Region.id).where(Region.code == "421126")).one()
        with pytest.raises(Forbidden) as refused:
            processes.deploy_model(county, xml, "referral.bpmn")
        assert "全平台" in refused.value.message
        db.session.rollback()
        assert user("designer").region_id is None  # the demo designer is the platform's
        processes.deploy_model(user("designer"), xml, "referral.bpmn")


def test_escalations_reach_the_supervisors_above_the_campaign(app):
    with app.app_context():
        qichun = db.session.scalars(select(Region.id).where(Region.code == "421126")).one()
        names = {u.username for u in scope.supervisors_over(qichun)}
        assert names == {"supervisor", "hg_supervisor"}  # the county's and its city's, not 太湖's


def test_city_supervisor_runs_a_city_wide_campaign_with_district_partners(app):
    from models import CampaignDepartment, Enterprise
    from services.draw import inputs as draw_inputs
    with app.app_context():
        city = db.session.scalars(select(Region).where(Region.code == "421100")).one()
        bureau = Department(code="hg_scjg", name="黄冈市市场监督管理局", region=city, type="market_regulation")
        db.session.add(bureau)
        db.session.commit()
        industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
        data = {**_plan_data(bureau), "partner_department_ids": [department("wjw").id, department("xf").id],
                "matter_ids": [m.id for m in industry.matters]}
        with pytest.raises(ValidationFailed):  # 蕲春's supervisor cannot lead from the city
            plans.create_entry(user("supervisor"), data)
        entry = plans.create_entry(user("hg_supervisor"), data)
        plans.approve_entry(user("hg_supervisor"), entry.id)
        campaign = db.session.scalars(select(Campaign).where(Campaign.plan_entry_id == entry.id)).one()
        assert campaign.region_id == city.id
        for partner in ("wjw", "xf"):
            campaign.departments.append(CampaignDepartment(department_id=department(partner).id, role="partner",
                                                           status="confirmed"))
        db.session.commit()
        candidates, _excluded = draw_inputs.candidates_for(draw_inputs.scope_of(campaign))
        qichun = db.session.scalars(select(Region.id).where(Region.code == "421126")).one()
        expected = db.session.scalar(select(func.count()).where(
            Enterprise.industry_id == industry.id, Enterprise.region_id == qichun, Enterprise.status == "存续"))
        # the city's scope is its districts' enterprises (nothing inspected or in a case yet: no exclusions)
        assert expected > 0 and sum(len(v) for v in candidates.values()) == expected
        assert campaign.id in {c.id for c in initiation.visible_campaigns(user("hg_supervisor"))}
        assert campaign.id in {c.id for c in initiation.visible_campaigns(user("supervisor"))}  # its departments take part
