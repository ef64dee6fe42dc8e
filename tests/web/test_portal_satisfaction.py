"""Satisfaction: a closed inspection is rated 1–5 once; the rating reaches the campaign's performance figures."""
from sqlalchemy import select

from extensions import db
from models import Campaign, Inspection, SatisfactionRating
from services.stages import review_figures
from tests import factories
from tests.conftest import csrf_token
from tests.web.test_portal import _login


def _rate(client, inspection_id: int, **data):
    path = f"/enterprise/inspections/{inspection_id}"
    return client.post(f"{path}/satisfaction", data={"csrf_token": csrf_token(client, path), **data})


def test_closed_inspection_rated_once_and_counted_in_the_review(app):
    campaign_id, _ = factories.campaign_at(app, "rectified", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)
                                        .order_by(Inspection.id)).first()
        inspection_id, enterprise_id = inspection.id, inspection.enterprise_id
    portal = app.test_client()
    _login(app, portal, enterprise_id)
    assert "评价本次检查" in portal.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    bad = _rate(portal, inspection_id, score="9", comment="")
    assert bad.status_code == 422 and "请选择 1–5 分" in bad.get_data(as_text=True)
    assert _rate(portal, inspection_id, score="4", comment="检查人员态度好，一次上门查完").status_code == 302
    page = portal.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert "我的评价" in page and "一次上门查完" in page and "评价本次检查" not in page
    again = _rate(portal, inspection_id, score="1")
    assert again.status_code == 409 and "每次检查只能评价一次" in again.get_data(as_text=True)
    with app.app_context():
        assert [r.score for r in db.session.scalars(select(SatisfactionRating))] == [4]
        figures = review_figures.campaign_figures(db.session.get(Campaign, campaign_id))
        assert figures["ratings"] == 1 and figures["satisfaction_mean"] == 4.0


def test_an_inspection_with_open_rectification_cannot_be_rated(app):
    campaign_id, _ = factories.campaign_at(app, "diagnosed", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id,
                                                                 Inspection.result_code == "02")).first()
        inspection_id, enterprise_id = inspection.id, inspection.enterprise_id
        other = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id,
                                                            Inspection.id != inspection_id)).first().enterprise_id
    portal = app.test_client()
    _login(app, portal, enterprise_id)
    assert "评价本次检查" not in portal.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    response = _rate(portal, inspection_id, score="5")
    assert response.status_code == 409 and "整改完成" in response.get_data(as_text=True)
    stranger = app.test_client()
    _login(app, stranger, other)
    assert stranger.post(f"/enterprise/inspections/{inspection_id}/satisfaction",
                         data={"csrf_token": csrf_token(stranger, "/enterprise/"), "score": "5"}).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(SatisfactionRating)).all() == []


def test_a_problem_found_cannot_be_rated_before_its_handling_is_decided(app):
    campaign_id, _ = factories.campaign_at(app, "published", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id,
                                                                 Inspection.result_code == "02")).first()
        inspection_id, enterprise_id = inspection.id, inspection.enterprise_id
    portal = app.test_client()
    _login(app, portal, enterprise_id)
    assert "评价本次检查" not in portal.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert _rate(portal, inspection_id, score="5").status_code == 409
