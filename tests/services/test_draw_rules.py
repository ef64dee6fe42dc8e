"""The draw's rules against the demo county: scope, exclusions, ratios, modes, officers, experts, failure."""
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import (Case, ChecklistItem, DrawnEnterprise, Enterprise, Expert, ExpertConflict, Inspection,
                    InspectionOfficer, ItemResult, Notification, OfficerConflict, RecusalRequest, User)
from services.workflow import clock
from services.draw import stage as draw
from services.draw import inputs as draw_inputs
from services.stages import plans
from services.errors import Conflict, Forbidden, ValidationFailed
from tests.services.draw_support import campaign_ready, in_scope, officials, user


def _unique_named(campaign) -> Enterprise:
    rows = in_scope(campaign, status="存续")
    names = [e.name for e in rows]
    return next(e for e in rows if sum(e.name in n for n in names) == 1)


def _final_inspection(campaign, enterprise, days_ago: int, officer_ids=()) -> Inspection:
    item = db.session.scalars(select(ChecklistItem).where(
        ChecklistItem.matter_id.in_([m.id for m in campaign.matters]))).first()
    when = clock.now() - timedelta(days=days_ago)
    inspection = Inspection(campaign_id=campaign.id, enterprise_id=enterprise.id, status="submitted",
                            inspected_on=when.date(), submitted_at=when)
    inspection.item_results = [ItemResult(checklist_item_id=item.id, result="pass")]
    inspection.officers = [InspectionOfficer(user_id=u, department_id=db.session.get(User, u).department_id)
                           for u in officer_ids]
    db.session.add(inspection)
    return inspection


def test_exclusions_are_applied_and_counted_per_reason(app):
    with app.app_context():
        campaign = campaign_ready()
        active = in_scope(campaign, status="存续")
        inactive_before = len(in_scope(campaign)) - len(active)
        gone, recent, old, cased = active[0], active[1], active[2], active[3]
        gone.status = "吊销"
        _final_inspection(campaign, recent, days_ago=100)
        _final_inspection(campaign, old, days_ago=400)   # older than 12 months: drawn again
        db.session.add(Case(case_no="T-1", enterprise_id=cased.id, department_id=campaign.lead_department_id,
                            matter_id=campaign.matters[0].id, status="open", opened_at=clock.now()))
        db.session.commit()
        inputs = draw_inputs.gather(campaign)
        pool = {u for v in inputs.candidates.values() for u in v}
        assert gone.uscc not in pool and recent.uscc not in pool and cased.uscc not in pool
        assert old.uscc in pool
        excluded = inputs.report["excluded"]
        assert sum(excluded["inactive"].values()) == inactive_before + 1 and excluded["inactive"]["吊销"] >= 1
        assert excluded["inspected_recently"] == 1 and excluded["open_case"] == 1
        assert inputs.report["candidates"] == len(active) - 3


def test_candidates_are_the_scope_in_code_point_order_and_each_exclusion_counted_once(app):
    """The candidate lists come from one joined string per class: exactly the scope's active enterprises,
    sorted; one inspected recently *and* with an open case counts once (first reason); an enterprise outside
    the scope with an open case for the matter counts nowhere."""
    with app.app_context():
        campaign = campaign_ready()
        active = in_scope(campaign, status="存续")
        both = active[0]
        outside = db.session.scalars(select(Enterprise).where(Enterprise.industry_id != campaign.industry_id)).first()
        _final_inspection(campaign, both, days_ago=30)
        for number, enterprise in enumerate((both, outside)):
            db.session.add(Case(case_no=f"T-{number}", enterprise_id=enterprise.id, matter_id=campaign.matters[0].id,
                                department_id=campaign.lead_department_id, status="open", opened_at=clock.now()))
        db.session.commit()
        scope = draw_inputs.scope_of(campaign)
        candidates, excluded = draw_inputs.candidates_for(scope)
        expected: dict[str, list[str]] = {}
        for enterprise in active[1:]:
            expected.setdefault(enterprise.credit_class, []).append(enterprise.uscc)
        assert {c: v for c, v in candidates.items() if v} == {c: sorted(v) for c, v in expected.items()}
        assert (excluded["inspected_recently"], excluded["open_case"], excluded["open_inspection"]) == (1, 0, 0)
        whole, _ = draw_inputs.candidates_for(replace(scope, settings={**scope.settings, "mode": "random"}))
        assert whole == {"*": sorted(u for v in expected.values() for u in v)}


def test_exclusions_follow_the_plan_settings(app):
    with app.app_context():
        campaign = campaign_ready(settings={"exclude_inactive": False, "exclude_inspected_months": 0,
                                            "exclude_open_case": False})
        recent = in_scope(campaign, status="存续")[0]
        _final_inspection(campaign, recent, days_ago=10)
        db.session.commit()
        inputs = draw_inputs.gather(campaign)
        assert inputs.report["candidates"] == len(in_scope(campaign))
        assert inputs.report["excluded"] == {"inactive": {}, "inspected_recently": 0, "open_case": 0,
                                             "open_inspection": 0}


def test_zero_ratio_needs_a_recorded_reason_and_hundred_percent_is_allowed(app):
    with app.app_context():
        with pytest.raises(ValidationFailed) as info:
            campaign_ready(ratios={"A": 0, "B": 5, "C": 20, "D": 100})
        assert "zero_reasons" in info.value.errors
        campaign = campaign_ready(ratios={"A": 0, "B": 5, "C": 20, "D": 100},
                                  settings={"zero_reasons": {"A": "A 类本年度已全部纳入信用承诺"}})
        inputs = draw_inputs.gather(campaign)
        classes = inputs.report["classes"]
        assert classes["A"]["size"] == 0 and classes["D"]["size"] == classes["D"]["candidates"]
        assert inputs.report["zero_reasons"] == {"A": "A 类本年度已全部纳入信用承诺"}


def test_sizes_round_up_with_the_per_class_minimum_and_the_national_floor_warns(app):
    with app.app_context():
        campaign = campaign_ready(ratios={"A": 0.1, "B": 0.1, "C": 0.1, "D": 0.1}, settings={"min_per_class": 2})
        inputs = draw_inputs.gather(campaign)
        for row in inputs.report["classes"].values():
            assert row["size"] == min(row["candidates"], 2)
        assert any("低于全国 3%" in w for w in inputs.report["warnings"])
        assert not draw_inputs.gather(campaign_ready(ratios={"A": 50, "B": 50, "C": 50, "D": 50})).report["warnings"]


def test_plain_random_mode_draws_over_the_whole_scope(app):
    with app.app_context():
        with pytest.raises(ValidationFailed):
            campaign_ready(settings={"mode": "random"})  # needs its overall ratio
        campaign = campaign_ready(settings={"mode": "random", "overall_ratio": 4})
        inputs = draw_inputs.gather(campaign)
        assert list(inputs.candidates) == ["*"] and inputs.params["ratios"] == {"*": "4"}
        record = draw.perform(campaign, None)
        assert record.status == "drawn" and record.mode == "random"
        assert len(record.enterprises) == -(-len(in_scope(campaign, status="存续")) * 4 // 100)


def test_targeted_mode_filters_by_attributes(app):
    with app.app_context():
        campaign = campaign_ready(ratios={"A": 100, "B": 100, "C": 100, "D": 100},
                                  settings={"mode": "targeted", "target": {"credit_classes": ["D"], "entity": "sole_trader"}})
        record = draw.perform(campaign, None)
        drawn = [d.enterprise for d in record.enterprises]
        expected = [e for e in in_scope(campaign, status="存续", credit_class="D") if e.uscc.startswith("92")]
        assert drawn and sorted(e.uscc for e in drawn) == sorted(e.uscc for e in expected)


def test_each_department_sends_its_own_officers_two_at_least(app):
    with app.app_context():
        campaign = campaign_ready(partners=("wjw", "xf"))
        record = draw.perform(campaign, None)
        db.session.commit()
        departments = {d.department_id for d in campaign.departments}
        inspections = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign.id)).all()
        assert len(inspections) == len(record.enterprises) > 0
        for inspection in inspections:
            assert len(inspection.officers) == 2 * len(departments)
            assert sorted(o.department_id for o in inspection.officers) == sorted(list(departments) * 2)
            assert all(o.user.department_id == o.department_id and o.user.active for o in inspection.officers)


def test_conflicts_recusals_and_the_previous_inspector_are_excluded(app):
    with app.app_context():
        probe = campaign_ready()
        target = _unique_named(probe)
        lead_people = [u.id for u in officials("scjg")]
        partner_people = [u.id for u in officials("wjw")]
        # Previous inspection (over 12 months ago, so the enterprise stays in scope) by lead officer 0.
        _final_inspection(probe, target, days_ago=500, officer_ids=[lead_people[0]])
        for officer_id in lead_people[1:-3]:
            db.session.add(OfficerConflict(user_id=officer_id, enterprise_id=target.id, reason="亲属",
                                           declared_at=clock.now()))
        db.session.add(RecusalRequest(enterprise_id=target.id, user_id=lead_people[-3], reason="曾有纠纷",
                                      requested_at=clock.now()))
        for officer_id in partner_people[:-2]:
            db.session.add(RecusalRequest(enterprise_id=target.id, user_id=officer_id, reason="申请回避",
                                          requested_at=clock.now()))
        db.session.commit()
        campaign = campaign_ready(ratios={"A": 100, "B": 100, "C": 100, "D": 100}, settings={
            "mode": "targeted", "target": {"name_contains": target.name}, "exclude_inspected_months": 12})
        record = draw.perform(campaign, None)
        assert record.status == "drawn", record.failure
        [drawn] = record.enterprises
        # Two of each department's own people: the only ones left after the exclusions.
        assert sorted(o for _, o in drawn.officers) == sorted(lead_people[-2:] + partner_people[-2:])
        # One more recusal and the partner department cannot send two: the draw explains it and draws nothing.
        db.session.add(RecusalRequest(enterprise_id=target.id, user_id=partner_people[-1], reason="申请回避",
                                      requested_at=clock.now()))
        campaign.status = "completed"  # else its open inspection of the target keeps the target out of the next draw
        db.session.commit()
        again = campaign_ready(ratios={"A": 100, "B": 100, "C": 100, "D": 100}, settings={
            "mode": "targeted", "target": {"name_contains": target.name}})
        failed = draw.perform(again, None)
        assert failed.status == "failed" and "卫生健康委员会" in failed.failure and not failed.enterprises


def test_too_few_officers_records_a_failed_draw_and_the_lead_retries(app):
    with app.app_context():
        campaign = campaign_ready(partners=("wjw", "xf"))
        for person in officials("xf"):
            person.active = False
        db.session.commit()
        record = draw.perform(campaign, None)
        db.session.commit()
        assert record.status == "failed" and "消防救援大队" in record.failure and "至少需要 2 名" in record.failure
        assert db.session.scalar(select(func.count()).select_from(Inspection).where(
            Inspection.campaign_id == campaign.id)) == 0
        assert db.session.scalar(select(func.count()).select_from(DrawnEnterprise).where(
            DrawnEnterprise.draw_id == record.id)) == 0
        assert db.session.scalars(select(Notification).where(Notification.kind == "draw_failed")).one().department_id \
            == campaign.lead_department_id
        with pytest.raises(Forbidden):
            draw.retry(user("wjw_01"), campaign.id)
        assert draw.retry(user("scjg_01"), campaign.id).status == "failed"  # still infeasible: recorded again
        for person in officials("xf"):
            person.active = True
        db.session.commit()
        retried = draw.retry(user("scjg_01"), campaign.id)
        assert retried.status == "drawn" and retried.enterprises
        assert [d.status for d in draw.draws_of(campaign.id)] == ["failed", "failed", "drawn"]
        with pytest.raises(Conflict):
            draw.retry(user("scjg_01"), campaign.id)


def test_experts_are_drawn_by_field_with_recusal(app):
    with app.app_context():
        probe = campaign_ready()
        target = _unique_named(probe)
        # A field no demo expert has, so only these three are candidates.
        experts = [Expert(cert_no=f"EX{i}", name=f"专家{i}", field="冷链测试专项") for i in range(3)]
        db.session.add_all(experts + [Expert(cert_no="EXO", name="其他", field="消防")])
        db.session.flush()
        db.session.add(ExpertConflict(expert_id=experts[0].id, enterprise_id=target.id, declared_at=clock.now()))
        db.session.add(RecusalRequest(enterprise_id=target.id, expert_id=experts[1].id, reason="回避",
                                      requested_at=clock.now()))
        db.session.commit()
        campaign = campaign_ready(ratios={"A": 100, "B": 100, "C": 100, "D": 100}, settings={
            "mode": "targeted", "target": {"name_contains": target.name},
            "expert_field": "冷链测试专项", "experts_per_enterprise": 1})
        record = draw.perform(campaign, None)
        assert record.enterprises[0].experts == [experts[2].id]


def test_plan_rejects_bad_draw_settings(app):
    with app.app_context():
        for settings, field in (({"mode": "targeted"}, "target"), ({"region_ids": [9999]}, "region_ids"),
                                ({"experts_per_enterprise": 1}, "expert_field")):
            with pytest.raises(ValidationFailed) as info:
                campaign_ready(settings=settings)
            assert field in info.value.errors
        assert plans.list_entries() == []


def test_scope_spans_extra_industries_and_regions(app):
    with app.app_context():
        from models import Industry, Region
        base = campaign_ready()
        other = db.session.scalars(select(Industry).where(Industry.code == "6210")).one()
        regions = db.session.scalars(select(Region.id)).all()
        campaign = campaign_ready(settings={"extra_industry_ids": [other.id], "region_ids": regions})
        wide = draw_inputs.gather(campaign)
        narrow = draw_inputs.gather(base)
        expected = db.session.scalar(select(func.count()).select_from(Enterprise).where(
            Enterprise.industry_id.in_([base.industry_id, other.id]), Enterprise.region_id.in_(regions),
            Enterprise.status == "存续"))
        assert wide.report["candidates"] == expected > narrow.report["candidates"]
        assert wide.params["scope"]["industry_ids"] == [base.industry_id, other.id]
        assert wide.params["scope"]["region_ids"] == regions


def test_one_officer_per_department_when_the_plan_says_so_still_two_per_enterprise(app):
    with app.app_context():
        alone = campaign_ready(partners=(), settings={"officers_per_department": 1})
        record = draw.perform(alone, None)
        assert record.status == "drawn"
        assert all(len(d.officers) == 2 and {dep for dep, _ in d.officers} == {alone.lead_department_id}
                   for d in record.enterprises)


def test_the_lead_may_execute_a_committed_draw_once_the_delay_has_passed(app):
    from services.workflow import timers
    app.config["DRAW_REVEAL_DELAY_MINUTES"] = 10
    with app.app_context():
        campaign = campaign_ready()
        record = draw.perform(campaign, None)
        db.session.commit()
        assert record.status == "committed" and not record.enterprises and record.drawn_at is None
        with pytest.raises(Forbidden):
            draw.execute_now(user("wjw_01"), record.id)
        with pytest.raises(Conflict):
            draw.execute_now(user("scjg_01"), record.id)
        clock.advance(timedelta(minutes=11))
        done = draw.execute_now(user("scjg_01"), record.id)
        assert done.status == "drawn" and done.enterprises
        assert timers.fire_due() == 0  # the pending timer was cancelled: the draw runs once
        with pytest.raises(Conflict):
            draw.execute_now(user("scjg_01"), record.id)
