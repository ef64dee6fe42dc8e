"""The campaign's pending-inspections counter (issue 18): kept by the draw and the finalisation, and
backfilled by migration floor0000001 from the rows that were there before it."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from extensions import db
from models import Campaign, Inspection
from tests import factories


def _counted(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Inspection).where(
        Inspection.campaign_id == campaign_id, Inspection.status != "submitted"))


def test_counter_follows_the_draw_and_each_final_inspection(app):
    campaign_id, _ = factories.campaign_at(app, "drawn", enterprises=3)
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).pending_inspections == _counted(campaign_id) == 3
    first = factories.open_tasks(app, campaign_id, "joint_inspection")[0]
    factories.sign_off(app, campaign_id, first)
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).pending_inspections == _counted(campaign_id) == 2


def test_the_last_inspection_still_moves_the_campaign_on(app):
    campaign_id, _ = factories.campaign_at(app, "inspected", enterprises=2)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert campaign.pending_inspections == 0 and campaign.stage == "publication"


def test_migration_backfills_the_counter_from_existing_inspections(app):
    campaign_id, _ = factories.campaign_at(app, "drawn", enterprises=3)
    factories.sign_off(app, campaign_id, factories.open_tasks(app, campaign_id, "joint_inspection")[0])
    with app.app_context():
        downgrade(revision="portal3000005")
        upgrade()
        db.session.remove()
        assert db.session.get(Campaign, campaign_id).pending_inspections == _counted(campaign_id) == 2
