"""Many people completing tasks at the same moment: no lost update, no double completion,
every instance consistent afterwards (PostgreSQL; the one-instance case on SQLite too)."""
from sqlalchemy import select

from extensions import db
from models import Campaign, Inspection
from tests.concurrency.helpers import (assert_each_completed_once, assert_instances_consistent,
                                       complete_concurrently, failures, initiation_payload, open_campaign,
                                       work_for)

N = 50


def test_fifty_inspections_of_one_campaign_at_once(pg_app):
    with pg_app.app_context():
        campaign_id = open_campaign(N, confirm=False)
        work = work_for(campaign_id, "initiation", initiation_payload())
    assert failures(complete_concurrently(pg_app, work)) == []
    with pg_app.app_context():
        # The partner confirmations are tasks of ONE instance (the campaign's): the instance row lock
        # makes them queue, so none fails the version check.
        confirmations = work_for(campaign_id, "partner_confirmation", {"decision": "confirm"})
        assert len(confirmations) >= 3
    assert failures(complete_concurrently(pg_app, confirmations)) == []
    with pg_app.app_context():
        work = work_for(campaign_id, "joint_inspection")
        assert len(work) == N

    assert failures(complete_concurrently(pg_app, work)) == []
    with pg_app.app_context():  # two-officer rule: a second matched officer countersigns each one
        countersigns = work_for(campaign_id, "joint_inspection")
        assert len(countersigns) == N

    assert failures(complete_concurrently(pg_app, countersigns)) == []
    with pg_app.app_context():
        assert_each_completed_once([task_id for task_id, _, _ in work + countersigns + confirmations])
        inspections = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).all()
        assert len(inspections) == N and all(i.status == "submitted" for i in inspections)
        # The last of the 50 told the campaign: exactly one publication approval is open, and nothing else.
        assert [t[0] for t in work_for(campaign_id, "publication_approval", {})] != []
        assert len(work_for(campaign_id, "publication_approval", {})) == 1
        assert db.session.get(Campaign, campaign_id).stage == "publication"
        assert assert_instances_consistent(campaign_id) == N + 1


def test_fifty_campaigns_advanced_at_once(pg_app):
    with pg_app.app_context():
        campaign_ids = [open_campaign(3, confirm=False) for _ in range(N)]
        work = [w for cid in campaign_ids for w in work_for(cid, "initiation", initiation_payload())]
        assert len(work) == N

    assert failures(complete_concurrently(pg_app, work)) == []

    with pg_app.app_context():
        assert_each_completed_once([task_id for task_id, _, _ in work])
        partners = len(initiation_payload()["partner_department_ids"])
        for campaign_id in campaign_ids:
            assert len(work_for(campaign_id, "partner_confirmation", {})) == partners
            assert db.session.get(Campaign, campaign_id).stage == "initiation"
            assert assert_instances_consistent(campaign_id) == 1


def test_partner_confirmations_on_one_instance_sqlite(sqlite_app):
    app = sqlite_app
    with app.app_context():
        campaign_id = open_campaign(3, confirm=False)
        work = work_for(campaign_id, "initiation", initiation_payload())
    assert failures(complete_concurrently(app, work)) == []
    with app.app_context():
        confirmations = work_for(campaign_id, "partner_confirmation", {"decision": "confirm"})
    assert failures(complete_concurrently(app, confirmations)) == []
    with app.app_context():
        assert_each_completed_once([task_id for task_id, _, _ in confirmations])
        assert len(work_for(campaign_id, "joint_inspection")) == 3
        assert assert_instances_consistent(campaign_id) == 4


def test_twenty_inspections_of_one_campaign_at_once_sqlite(sqlite_app):
    # SQLite serializes writers (one write transaction at a time): the point is that none is lost or doubled.
    app = sqlite_app
    with app.app_context():
        campaign_id = open_campaign(20)
        work = work_for(campaign_id, "joint_inspection")
    assert failures(complete_concurrently(app, work)) == []
    with app.app_context():  # two-officer rule: the countersignatures, also all at once
        countersigns = work_for(campaign_id, "joint_inspection")
    assert failures(complete_concurrently(app, countersigns)) == []
    with app.app_context():
        assert_each_completed_once([task_id for task_id, _, _ in work + countersigns])
        assert len(work_for(campaign_id, "publication_approval", {})) == 1
        assert assert_instances_consistent(campaign_id) == 21
