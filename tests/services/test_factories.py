"""The factories bring a campaign to each stage through the services, as the e2e journey does over HTTP."""
import pytest

from extensions import db
from models import Campaign
from tests import factories

NEXT_TASK = {"planned": "initiation", "initiated": "partner_confirmation", "drawn": "joint_inspection",
             "inspected": "publication_approval", "published": "diagnosis", "diagnosed": "rectification",
             "rectified": "performance_review"}


@pytest.mark.parametrize("stage", ["planned", "drawn", "diagnosed"])
def test_campaign_waits_at_the_next_stage(app, stage):
    campaign_id, _ = factories.campaign_at(app, stage, enterprises=2)
    assert factories.open_tasks(app, campaign_id, NEXT_TASK[stage])


def test_a_whole_campaign_closes(app):
    campaign_id, _ = factories.campaign_at(app, "closed", enterprises=2)
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).status == "completed"
    assert all(not factories.open_tasks(app, campaign_id, key) for key in NEXT_TASK.values())
