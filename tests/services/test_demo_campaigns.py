"""`flask demo campaigns`: demo campaigns at different stages, through the same services as the pages.

In its own module: test_demo.py keeps a bare app context pushed for its module-scoped fixture, and the
CLI runner would use that app instead of this test's.
"""
from sqlalchemy import select

from extensions import db
from models import Campaign, Inspection


def test_demo_campaigns_reach_their_stages_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "campaigns"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id)).all()
        assert [c.stage for c in campaigns] == ["closed", "joint_inspection", "joint_inspection"]
        published = db.session.scalars(select(Inspection).where(
            Inspection.campaign_id == campaigns[0].id, Inspection.published_at.is_not(None))).all()
        assert len(published) == 6
        signed = {i.status for i in db.session.scalars(select(Inspection).where(
            Inspection.campaign_id == campaigns[1].id))}
        assert signed == {"signed"}  # waiting for the second officer
    again = runner.invoke(args=["demo", "campaigns"])
    assert again.exit_code == 0 and "跳过" in again.output
