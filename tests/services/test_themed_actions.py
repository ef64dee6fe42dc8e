"""Themed actions (专项/板块): three industries in two 乡镇 over a time window; the draw stays inside that scope
and its report's counts are those of a direct query of the directory."""
from datetime import timedelta

import pytest
from sqlalchemy import func, or_, select

from demo.county import HOME
from extensions import db
from models import Campaign, Department, Draw, DrawnEnterprise, Enterprise, Industry, Region, ThemedAction
from services.draw import stage as draw_stage
from services.errors import ValidationFailed
from services.org import scope as org_scope
from services.stages import themes
from services.workflow import clock
from tests.factories import complete, open_tasks, user

INDUSTRY_CODES = ("6210", "6110", "5265")
TOWNS = ("蕲州镇", "赤东镇")


def _request(app, **changes) -> int:
    with app.app_context():
        industries = [db.session.scalars(select(Industry.id).where(Industry.code == c)).one() for c in INDUSTRY_CODES]
        data = {"name": "元旦春节市场秩序专项行动", "code": "ZX-2026-001", "industry_ids": industries,
                "region_ids": [], "area_name": "", "address_patterns": list(TOWNS),
                "starts_on": clock.today(), "ends_on": clock.today() + timedelta(days=30), "public": True,
                "reason": "节日期间市场秩序", **changes}
        return themes.request_themed_action(user("scjg_01"), data).id


def _approve_and_initiate(app, campaign_id: int) -> None:
    [approval] = open_tasks(app, campaign_id, "special_approval")
    complete(app, "supervisor", approval["id"], {"special_decision": "approve"})
    [initiation] = open_tasks(app, campaign_id, "initiation")
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        lead_matters = [m.id for m in campaign.matters if m.department_id == campaign.lead_department_id]
    complete(app, "scjg_01", initiation["id"], {"partner_department_ids": [], "matter_ids": lead_matters})


def _in_scope():
    home = db.session.scalars(select(Region.id).where(Region.code == HOME)).one()
    industries = select(Industry.id).where(Industry.code.in_(INDUSTRY_CODES))
    return (Enterprise.industry_id.in_(industries), Enterprise.region_id.in_(org_scope.subtree_ids(home)),
            or_(*[Enterprise.address.contains(t) for t in TOWNS]))


def test_themed_action_draws_only_inside_its_industries_and_towns(app):
    campaign_id = _request(app)
    _approve_and_initiate(app, campaign_id)
    with app.app_context():
        record = draw_stage.current_draw(campaign_id)
        assert record.status == "drawn"
        by_class = dict(db.session.execute(select(Enterprise.credit_class, func.count()).where(
            *_in_scope(), Enterprise.status == "存续").group_by(Enterprise.credit_class)).all())
        report = record.report
        assert report["candidates"] == sum(by_class.values()) > 0
        assert {c: v["candidates"] for c, v in report["classes"].items() if v["candidates"]} == by_class
        inactive = dict(db.session.execute(select(Enterprise.status, func.count()).where(
            *_in_scope(), Enterprise.status != "存续").group_by(Enterprise.status)).all())
        assert report["excluded"]["inactive"] == inactive
        drawn = db.session.scalars(select(Enterprise).join(DrawnEnterprise, DrawnEnterprise.enterprise_id == Enterprise.id)
                                   .where(DrawnEnterprise.draw_id == record.id)).all()
        assert drawn and len(drawn) == report["planned"]
        codes = {db.session.get(Industry, e.industry_id).code for e in drawn}
        assert codes <= set(INDUSTRY_CODES)
        assert all(any(t in e.address for t in TOWNS) for e in drawn)
        assert record.params["scope"]["address_patterns"] == list(TOWNS)
        assert len(record.params["scope"]["industry_ids"]) == 3


def test_themed_action_over_two_township_regions(app):
    """The same scope by regions: two 乡镇 as regions of the county, enterprises registered there."""
    with app.app_context():
        home = db.session.scalars(select(Region).where(Region.code == HOME)).one()
        towns = [Region(code=f"{HOME}{n:03d}", name=name, level="township", parent=home)
                 for n, name in enumerate(TOWNS, start=1)]
        db.session.add_all(towns)
        db.session.flush()
        for town in towns:
            db.session.execute(Enterprise.__table__.update().where(Enterprise.address.contains(town.name))
                               .values(region_id=town.id))
        db.session.commit()
        town_ids = [t.id for t in towns]
    campaign_id = _request(app, address_patterns=[], region_ids=town_ids, area_name="蕲州—赤东板块")
    _approve_and_initiate(app, campaign_id)
    with app.app_context():
        record = draw_stage.current_draw(campaign_id)
        expected = db.session.scalar(select(func.count()).select_from(Enterprise).where(
            Enterprise.region_id.in_(town_ids), Enterprise.status == "存续",
            Enterprise.industry_id.in_(select(Industry.id).where(Industry.code.in_(INDUSTRY_CODES)))))
        assert record.report["candidates"] == expected > 0
        drawn = db.session.scalars(select(DrawnEnterprise).where(DrawnEnterprise.draw_id == record.id)).all()
        assert all(d.enterprise.region_id in town_ids for d in drawn)


def test_inspection_must_fall_inside_the_window(app):
    campaign_id = _request(app)
    _approve_and_initiate(app, campaign_id)
    with app.app_context():  # the window moved on after the draw: today is no longer inside it
        action = db.session.scalars(select(ThemedAction).where(ThemedAction.campaign_id == campaign_id)).one()
        action.starts_on = clock.today() + timedelta(days=1)
        db.session.commit()
    from tests.factories import inspection_data
    task = open_tasks(app, campaign_id, "joint_inspection")[0]
    officer = task["candidates"][0]
    with pytest.raises(ValidationFailed) as refused:
        complete(app, officer, task["id"], inspection_data(app, task["id"], officer, problem=False))
    assert refused.value.errors["inspected_on"] == ["检查日期应在专项（板块）行动的期间内"]


def test_bad_requests_are_refused_and_nothing_is_stored(app):
    with pytest.raises(ValidationFailed) as refused:
        _request(app, industry_ids=[], ends_on=clock.today() - timedelta(days=1), reason=" ")
    assert set(refused.value.errors) == {"industry_ids", "window", "reason"}
    with app.app_context():
        own = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
        foreign = db.session.scalars(select(Region.id).where(Region.id != own.region_id)).first()
    with pytest.raises(ValidationFailed) as outside:
        _request(app, region_ids=[foreign])
    assert "region_ids" in outside.value.errors
    _request(app)
    with pytest.raises(ValidationFailed) as taken:
        _request(app)
    assert taken.value.errors == {"code": ["该行动编号已被使用"]}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ThemedAction)) == 1


def test_public_plan_lists_the_action_once_approved(app):
    campaign_id = _request(app)
    public = app.test_client()
    assert "元旦春节市场秩序专项行动" not in public.get(f"/public/plan/?year={clock.today().year}").get_data(as_text=True)
    [approval] = open_tasks(app, campaign_id, "special_approval")
    complete(app, "supervisor", approval["id"], {"special_decision": "approve"})
    page = public.get(f"/public/plan/?year={clock.today().year}").get_data(as_text=True)
    assert "元旦春节市场秩序专项行动" in page and "ZX-2026-001" in page and "蕲州镇、赤东镇" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draw).where(Draw.campaign_id == campaign_id)) == 0


def test_named_area_is_reused_by_a_themed_action(app):
    from services.stages import areas
    with app.app_context():
        with pytest.raises(ValidationFailed) as mixed:  # regions and keywords at once would mix two meanings
            areas.create(user("scjg_01"), name="蕲州—赤东板块", region_ids=[user("scjg_01").department.region_id],
                         address_patterns=list(TOWNS))
        assert "address_patterns" in mixed.value.errors
        area = areas.create(user("scjg_01"), name="蕲州—赤东板块", region_ids=[], address_patterns=list(TOWNS))
        assert [a.name for a in areas.usable(user("xf_01"))] == ["蕲州—赤东板块"]  # the county's departments share it
        area_id = area.id
    with pytest.raises(ValidationFailed) as both:
        _request(app, area_id=area_id)  # the request's own keywords beside the area
    assert "area_id" in both.value.errors
    campaign_id = _request(app, area_id=area_id, address_patterns=[])
    _approve_and_initiate(app, campaign_id)
    with app.app_context():
        action = db.session.scalars(select(ThemedAction).where(ThemedAction.campaign_id == campaign_id)).one()
        assert (action.area_name, action.address_patterns) == ("蕲州—赤东板块", list(TOWNS))
        expected = db.session.scalar(select(func.count()).select_from(Enterprise).where(*_in_scope(),
                                                                                       Enterprise.status == "存续"))
        assert draw_stage.current_draw(campaign_id).report["candidates"] == expected


def test_each_enterprise_is_inspected_with_its_own_industrys_checklist(app):
    """一业一单 inside a themed action: a 加油站 drawn in an action led by the 餐饮 checklist gets the 加油站 items."""
    campaign_id = _request(app)
    _approve_and_initiate(app, campaign_id)
    from models import ChecklistRevision, Inspection
    from services.stages.inspections import form_context
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        checked = 0
        for inspection in db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)):
            own = db.session.scalars(select(ChecklistRevision).where(
                ChecklistRevision.industry_id == inspection.enterprise.industry_id)
                .order_by(ChecklistRevision.number.desc())).first()
            rows = form_context(inspection, None).rows["checklist_items"]
            expected = {i.id for i in own.items if i.matter_id in {m.id for m in campaign.matters}}
            assert {r.key for r in rows} == expected and expected
            checked += inspection.enterprise.industry_id != campaign.industry_id
        assert checked, "the draw should reach an industry other than the action's first"
