"""One campaign through all eight stages via HTTP as the different users, on SQLite and PostgreSQL."""
from sqlalchemy import func, select

from extensions import db
from models import AuditRecord, Campaign, Inspection, Review
from tests.e2e.journey import run_campaign


def _assert_completed(app, campaign_id: int) -> None:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert (campaign.status, campaign.stage) == ("completed", "closed")
        assert [s.stage for s in campaign.stages] == [
            "initiation", "joint_inspection", "publication", "diagnosis", "follow_up", "review"]
        inspections = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).all()
        assert all(i.status == "submitted" and i.published_at is not None for i in inspections)
        figures = db.session.scalars(select(Review).where(Review.campaign_id == campaign_id)).one().figures
        assert (figures["enterprises_inspected"], figures["problems"], figures["follow_ups_closed"]) == (4, 1, 1)
        # 3 departments took part (one of four invited declined): 4 x 3 separate visits against 4 joint ones.
        assert (figures["visits_separate"], figures["visits_joint"], figures["visits_saved_pct"]) == (12, 4, 66.7)
        audited = db.session.scalar(select(func.count()).select_from(AuditRecord)
                                    .where(AuditRecord.campaign_id == campaign_id))
        assert audited > 20
        published = [(i.enterprise.uscc, i.enterprise.name) for i in inspections]

    public = app.test_client().get("/public/").get_data(as_text=True)
    for uscc, name in published:
        assert uscc in public and name in public
    assert "发现问题待后续处理" in public and "未发现问题" in public
    assert "现场检查内部记录" not in public  # the internal summary is never published


def test_campaign_through_all_stages_sqlite(app):
    _assert_completed(app, run_campaign(app))


def test_campaign_through_all_stages_postgres(pg_app):
    _assert_completed(pg_app, run_campaign(pg_app))
