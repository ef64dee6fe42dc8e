"""Inspection dates fall within the campaign's inspection window; an enterprise's grading and rectification
are shown under the campaign page's participation rule (services/stages/participation.py)."""
from datetime import timedelta

import pytest

from sqlalchemy import func, select

from demo.county import NEIGHBOUR
from demo.simulate import simulate
from extensions import db
from models import (CampaignDepartment, Department, HandlingDecision, Inspection, InspectionSignoff,
                    Region, User, UserRole)
from services.stages import follow_up
from services.errors import Forbidden
from services.workflow import clock
from tests.conftest import login
from tests.e2e.journey import (initiate, inspection_fields, open_tasks, plan_and_approve, report_in, scope, submit,
                               user_client)


def _with_date(fields, day: str):
    return [(k, day if k == "inspected_on" else v) for k, v in fields]


def test_inspection_dated_outside_the_window_is_refused_and_nothing_is_stored(app):
    s = scope(app, 2)
    _supervisor, campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)
    task = open_tasks(app, campaign_id, "joint_inspection")[0]
    fields = inspection_fields(app, campaign_id, False)
    officer = user_client(app, task["candidates"][0])
    today = clock.today()
    for day, message in (("1900-01-01", "检查日期不能早于该企业被抽取的日期"),
                         ((today - timedelta(days=1)).isoformat(), "检查日期不能早于该企业被抽取的日期"),
                         ((today + timedelta(days=1)).isoformat(), "检查日期不能晚于今天")):
        page = submit(officer, task["id"], _with_date(fields, day) + [("action", "sign")], expect=422)
        assert message in page.get_data(as_text=True), day
    with app.app_context():
        inspection = db.session.get(Inspection, task["inspection_id"])
        assert inspection.inspected_on is None and inspection.status != "submitted"
        assert db.session.scalar(select(func.count()).select_from(InspectionSignoff)
                                 .where(InspectionSignoff.inspection_id == inspection.id)) == 0
    submit(officer, task["id"], _with_date(fields, today.isoformat()) + [("action", "sign")])  # the draw's day is fine

    english = app.test_client()
    english.set_cookie("lang", "en")
    login(english, task["candidates"][1])
    [countersign] = [t for t in open_tasks(app, campaign_id, "joint_inspection") if t["inspection_id"] == task["inspection_id"]]
    page = submit(english, countersign["id"], _with_date(fields, "1900-01-01") + [("action", "sign")], expect=422)
    assert "The inspection date cannot be earlier than the day the enterprise was drawn" in page.get_data(as_text=True)


def _graded_enterprise(app) -> dict:
    with app.app_context():
        campaign = simulate(3, say=lambda _text: None)
        decision = db.session.scalars(select(HandlingDecision).where(HandlingDecision.campaign_id == campaign.id)).first()
        taking_part = set(db.session.scalars(select(CampaignDepartment.department_id)
                                             .where(CampaignDepartment.campaign_id == campaign.id)))
        home = campaign.region_id
        bystander = db.session.scalars(select(User).join(UserRole).join(Department, Department.id == User.department_id)
                                       .where(UserRole.role == "official", Department.region_id == home,
                                              User.department_id.not_in(taking_part))).first()
        neighbour = db.session.scalar(select(Region.id).where(Region.code == NEIGHBOUR))  # 太湖县, another province
        outsider = db.session.scalars(select(User).join(UserRole).join(Department, Department.id == User.department_id)
                                      .where(UserRole.role == "official", Department.region_id == neighbour)).first()
        member = db.session.scalars(select(User).join(UserRole).where(
            UserRole.role == "official", User.department_id == campaign.lead_department_id)).first()
        return {"enterprise_id": decision.enterprise_id, "campaign_id": campaign.id, "grade": decision.grade,
                "bystander": bystander.username, "outsider": outsider.username, "member": member.username}


def test_follow_up_record_follows_campaign_participation(app):
    g = _graded_enterprise(app)
    path = f"/follow-up/enterprises/{g['enterprise_id']}"
    member = user_client(app, g["member"]).get(path).get_data(as_text=True)
    assert f"<td>#{g['campaign_id']}</td>" in member  # the lead department sees the grading

    outsider = user_client(app, g["outsider"])  # another county's official
    assert outsider.get(f"/campaigns/{g['campaign_id']}").status_code == 403
    refused = outsider.get(path)
    assert refused.status_code == 403 and "您所在部门未参与检查该企业的检查活动" in refused.get_data(as_text=True)
    assert outsider.get(f"/reports/campaigns/{g['campaign_id']}/diagnosis").status_code == 403

    bystander = user_client(app, g["bystander"])  # same county, a department that did not take part
    assert bystander.get(f"/campaigns/{g['campaign_id']}").status_code == 403
    page = bystander.get(path)
    assert page.status_code == 200 and f"#{g['campaign_id']}" not in page.get_data(as_text=True)
    detail = bystander.get(f"/directory/enterprises/{g['enterprise_id']}").get_data(as_text=True)
    assert f"/campaigns/{g['campaign_id']}\"" not in detail  # the directory page hides the campaign's result too
    member_detail = user_client(app, g["member"]).get(f"/directory/enterprises/{g['enterprise_id']}").get_data(as_text=True)
    assert f"/campaigns/{g['campaign_id']}\"" in member_detail


def test_outsider_cannot_register_follow_up_records_either(app):
    g = _graded_enterprise(app)
    with app.app_context():
        outsider = db.session.scalar(select(User).where(User.username == g["outsider"]))
        with pytest.raises(Forbidden):
            follow_up.add_credit_commitment(outsider, g["enterprise_id"], content="承诺", signed_on=clock.today())


def test_participation_rule_on_postgresql(pg_app):
    g = _graded_enterprise(pg_app)
    with pg_app.app_context():
        outsider = db.session.scalar(select(User).where(User.username == g["outsider"]))
        bystander = db.session.scalar(select(User).where(User.username == g["bystander"]))
        member = db.session.scalar(select(User).where(User.username == g["member"]))
        with pytest.raises(Forbidden):
            follow_up.enterprise_follow_up(outsider, g["enterprise_id"])
        assert follow_up.enterprise_follow_up(bystander, g["enterprise_id"])["decisions"] == []
        assert [d.campaign_id for d in follow_up.enterprise_follow_up(member, g["enterprise_id"])["decisions"]] == [
            g["campaign_id"]]
