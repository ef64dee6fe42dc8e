"""要约: a department invites 1–4 others; the region's rule decides between approval and notice; invitees accept,
decline with a reason, or accept for fewer matters, which narrows the checklist."""
import pytest
from sqlalchemy import select

from demo.county import HOME
from extensions import db
from models import Campaign, HumanTask, Matter, Notification, Region
from services.errors import ValidationFailed
from services.stages import invitations
from services.stages.inspections import checklist_rows
from tests.factories import complete, open_tasks, scope, user


def _rule(app, required: bool) -> None:
    with app.app_context():
        home = db.session.scalars(select(Region.id).where(Region.code == HOME)).one()
        invitations.set_rule(user("supervisor"), home, required)


def _invite(app, s: dict, partners: list[int]) -> int:
    with app.app_context():
        matters = [m for m in s["matters"] if db.session.get(Matter, m).department_id in {s["lead_id"], *partners}]
        return invitations.invite(user("scjg_01"), industry_id=s["industry_id"], department_ids=partners,
                                  matter_ids=matters, reason="节前联合检查").id


def test_notify_only_region_starts_without_approval(app):
    s = scope(app, 2)
    _rule(app, False)
    campaign_id = _invite(app, s, s["partners"][:2])
    assert open_tasks(app, campaign_id, "special_approval") == []
    assert sorted(t["department_id"] for t in open_tasks(app, campaign_id, "partner_confirmation")) == s["partners"][:2]
    with app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.campaign_id == campaign_id)).all()
        assert notes and all("无需审批" in n.message for n in notes)
        assert user("supervisor").id in {n.user_id for n in notes}


def test_approve_region_waits_for_the_coordinating_office(app):
    s = scope(app, 2)
    _rule(app, True)
    campaign_id = _invite(app, s, s["partners"][:2])
    assert open_tasks(app, campaign_id, "partner_confirmation") == []
    [approval] = open_tasks(app, campaign_id, "special_approval")
    with app.app_context():
        assert db.session.get(HumanTask, approval["id"]).element_id == "invitation_approval"
        assert db.session.get(Campaign, campaign_id).stage == "plan"
    complete(app, "supervisor", approval["id"], {"special_decision": "approve"})
    assert len(open_tasks(app, campaign_id, "partner_confirmation")) == 2


def test_rejected_invitation_ends(app):
    s = scope(app, 2)
    _rule(app, True)
    campaign_id = _invite(app, s, s["partners"][:1])
    [approval] = open_tasks(app, campaign_id, "special_approval")
    complete(app, "supervisor", approval["id"], {"special_decision": "reject", "comment": "与年度计划重复"})
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).status == "rejected"
    assert open_tasks(app, campaign_id, "partner_confirmation") == []


def test_accept_with_fewer_matters_narrows_the_checklist_and_decline_keeps_its_reason(app):
    s = scope(app, 2)
    _rule(app, False)
    narrowing, declining = s["partners"][:2]
    campaign_id = _invite(app, s, [narrowing, declining])
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        own = [m.id for m in campaign.matters if m.department_id == narrowing]
        assert len(own) >= 2, "the test needs a partner with two matters in the industry"
        before = {i.matter_id for i in checklist_rows(campaign)}
        assert set(own) <= before
    tasks = {t["department_id"]: t for t in open_tasks(app, campaign_id, "partner_confirmation")}
    with pytest.raises(ValidationFailed):  # fewer matters, none chosen
        complete(app, s["partner_users"][narrowing], tasks[narrowing]["id"], {"decision": "confirm_fewer"})
    complete(app, s["partner_users"][narrowing], tasks[narrowing]["id"],
             {"decision": "confirm_fewer", "matter_ids": own[:1]})
    complete(app, s["partner_users"][declining], tasks[declining]["id"],
             {"decision": "decline", "reason": "本月执法力量不足"})
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        items = {i.matter_id for i in checklist_rows(campaign)}
        assert own[0] in items and not set(own[1:]) & items
        assert not {m.id for m in db.session.scalars(select(Matter).where(Matter.department_id == declining))} & items
        parts = {d.department_id: (d.status, d.reason) for d in campaign.departments}
        assert parts[narrowing][0] == "confirmed" and parts[declining] == ("declined", "本月执法力量不足")
    assert open_tasks(app, campaign_id, "joint_inspection")  # the draw ran with the narrowed scope


def test_invitation_needs_one_to_four_departments_and_a_reason(app):
    s = scope(app, 2)
    with app.app_context():
        with pytest.raises(ValidationFailed) as none:
            invitations.invite(user("scjg_01"), industry_id=s["industry_id"], department_ids=[], matter_ids=s["matters"],
                               reason="")
        assert set(none.value.errors) >= {"department_ids", "reason"}
        assert db.session.scalars(select(Campaign)).all() == []
