"""首违不罚 / 轻微免罚: suggested by the grade decision when the failed matter is listed, granted once, and refused in
Chinese the second time within the period (a second campaign inspecting the same enterprise)."""
import pytest
from sqlalchemy import select

from extensions import db
from models import Campaign, Enterprise, FollowUp, Inspection, LeniencyGrant
from services.directory import catalogue
from services.errors import ValidationFailed
from services.workflow import tasks
from tests import factories

BASIS = "《湖北省市场监管领域轻微违法行为不予处罚清单》第 3 项"


def _list_matters(app, campaign_id: int) -> None:
    with app.app_context():
        admin = factories.user("admin")
        for matter in db.session.get(Campaign, campaign_id).matters:
            catalogue.save_matter(admin, {
                "code": matter.code, "name": matter.name, "legal_basis": matter.legal_basis, "method": matter.method,
                "requirement": matter.requirement, "department_id": matter.department_id, "active": True,
                "industry_ids": catalogue.matter_industries(matter.id), "leniency_basis": BASIS,
                "leniency_months": ""}, matter.id)


def _diagnosis(app, campaign_id: int):
    factories.give_opinions(app, campaign_id)
    [task] = factories.open_tasks(app, campaign_id, "diagnosis")
    with app.app_context():
        return task, tasks.task_form(factories.user("scjg_01"), task["id"]).context


def _decide(app, task: dict, context, chosen: dict[int, str]) -> None:
    handling = [{"key": r.key, "handling": chosen.get(r.key, context.initial["handling"][r.key]["handling"]),
                 "note": "依清单不予处罚" if r.key in chosen else None} for r in context.rows["problem_inspections"]]
    factories.complete(app, "scjg_01", task["id"], {"assessment": "包容审慎", "handling": handling})


def _second_campaign_with_problem_at(app, enterprise_id: int) -> int:
    """Another campaign, targeted at the enterprise by name (no 12-month exclusion); it fails the same item again."""
    app.config["DRAW_EXCLUDE_INSPECTED_MONTHS"] = 0
    s = factories.scope(app, 4)
    s["ratios"] = {c: 100 for c in s["ratios"]}
    with app.app_context():
        name = db.session.get(Enterprise, enterprise_id).name
    campaign_id = factories.plan_and_approve(app, s, target={"name_contains": name})
    factories.initiate(app, s, campaign_id)
    factories.report_in(app, s, campaign_id)
    found = factories.open_tasks(app, campaign_id, "joint_inspection")
    with app.app_context():
        enterprises = {t["id"]: db.session.get(Inspection, t["inspection_id"]).enterprise_id for t in found}
    assert enterprise_id in enterprises.values()
    for task in found:
        factories.sign_off(app, campaign_id, task, problem=enterprises[task["id"]] == enterprise_id)
    factories.publish(app, campaign_id)
    return campaign_id


def test_first_violation_suggested_granted_once_and_refused_the_second_time(app):
    campaign_id, _ = factories.campaign_at(app, "published")
    _list_matters(app, campaign_id)
    task, context = _diagnosis(app, campaign_id)
    [row] = context.rows["problem_inspections"]
    assert context.initial["handling"][row.key]["handling"] == "first_free"   # grade.dmn: listed and first
    assert "首违不罚" in row.detail and BASIS in row.detail
    _decide(app, task, context, {row.key: "first_free"})
    with app.app_context():
        [grant] = db.session.scalars(select(LeniencyGrant)).all()
        inspection = db.session.get(Inspection, row.key)
        assert (grant.inspection_id, grant.kind, grant.legal_basis) == (row.key, "first_free", BASIS)
        assert inspection.handling == "first_free"
        assert db.session.scalars(select(FollowUp).where(FollowUp.inspection_id == row.key)).all() == []
        enterprise_id = inspection.enterprise_id
    assert factories.open_tasks(app, campaign_id, "performance_review")  # nothing left to follow up

    again = _second_campaign_with_problem_at(app, enterprise_id)
    task, context = _diagnosis(app, again)
    with app.app_context():
        [row] = [r for r in context.rows["problem_inspections"]
                 if db.session.get(Inspection, r.key).enterprise_id == enterprise_id]
    assert context.initial["handling"][row.key]["handling"] == "rectify"  # no longer the first within the period
    with pytest.raises(ValidationFailed) as refused:
        _decide(app, task, context, {row.key: "first_free"})
    message = "；".join(refused.value.errors["handling"])
    assert "已于" in message and "适用过首违不罚" in message and "24 个月内同一事项只能适用一次" in message
    with app.app_context():
        assert len(db.session.scalars(select(LeniencyGrant)).all()) == 1   # nothing stored
    assert factories.open_tasks(app, again, "diagnosis")


def test_an_unlisted_matter_cannot_go_unpunished(app):
    campaign_id, _ = factories.campaign_at(app, "published")
    task, context = _diagnosis(app, campaign_id)
    [row] = context.rows["problem_inspections"]
    assert context.initial["handling"][row.key]["handling"] == "rectify"
    with pytest.raises(ValidationFailed) as refused:
        _decide(app, task, context, {row.key: "minor_free"})
    assert "未列入轻微违法行为不予处罚清单" in "；".join(refused.value.errors["handling"])
