"""Recusal requests: the enterprise names an officer by certificate number; the officer's department admin
decides; an accepted one is honoured by the draw; an unknown number gets the same answer."""
import pytest
from sqlalchemy import select

from extensions import db
from models import Campaign, Enterprise, RecusalApplication, RecusalRequest, User
from services.draw import inputs
from tests import factories
from tests.conftest import csrf_token, login
from tests.web.test_portal import _login


@pytest.fixture
def published(app):
    campaign_id, _ = factories.campaign_at(app, "published", enterprises=2)
    with app.app_context():
        enterprise = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).first()
        officer = db.session.scalars(select(User).where(User.username == "scjg_02")).one()
        return {"campaign_id": campaign_id, "enterprise_id": enterprise.id, "uscc": enterprise.uscc,
                "cert_no": officer.cert_no, "officer_id": officer.id}


def _apply(client, cert_no: str, reason: str = "该执法人员系本企业股东的近亲属"):
    return client.post("/enterprise/recusals", data={"csrf_token": csrf_token(client, "/enterprise/recusals"),
                                                      "cert_no": cert_no, "reason": reason})


def test_accepted_recusal_is_honoured_by_the_draw(app, published):
    s = published
    portal = app.test_client()
    _login(app, portal, s["enterprise_id"])
    known = _apply(portal, s["cert_no"])
    unknown = _apply(portal, "NO-SUCH-CERT-0001")
    assert known.status_code == unknown.status_code == 302
    page = portal.get("/enterprise/recusals").get_data(as_text=True)
    assert page.count("待审核") == 2 and "NO-SUCH-CERT-0001" in page and "scjg_02" not in page
    admin = app.test_client()
    login(admin, "scjg_admin")
    listing = admin.get("/applications/").get_data(as_text=True)
    assert s["cert_no"] in listing and "NO-SUCH-CERT-0001" not in listing
    with app.app_context():
        application_id = db.session.scalars(select(RecusalApplication.id).where(
            RecusalApplication.cert_no == s["cert_no"])).one()
    other_admin = app.test_client()
    login(other_admin, "wjw_admin")
    assert s["cert_no"] not in other_admin.get("/applications/").get_data(as_text=True)
    token = csrf_token(other_admin, "/applications/")
    assert other_admin.post(f"/applications/recusals/{application_id}",
                            data={"csrf_token": token, "decision": "accept"}).status_code == 403
    token = csrf_token(admin, "/applications/")
    assert admin.post(f"/applications/recusals/{application_id}",
                      data={"csrf_token": token, "decision": "accept"}).status_code == 302
    assert "同意回避" in portal.get("/enterprise/recusals").get_data(as_text=True)
    with app.app_context():
        honoured = db.session.scalars(select(RecusalRequest).where(
            RecusalRequest.enterprise_id == s["enterprise_id"])).all()
        assert [r.user_id for r in honoured] == [s["officer_id"]]
        campaign = db.session.get(Campaign, s["campaign_id"])
        people = inputs.people_for(campaign, {}, {s["uscc"]}, [])
        assert s["officer_id"] in people["excluded_officers"][s["uscc"]]


def test_rejection_needs_reasons_and_bad_applications_store_nothing(app, published):
    s = published
    portal = app.test_client()
    _login(app, portal, s["enterprise_id"])
    response = _apply(portal, "", "短")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "请填写执法证件号" in body and "请写明申请回避的理由" in body
    with app.app_context():
        assert db.session.scalars(select(RecusalApplication)).all() == []
    _apply(portal, s["cert_no"])
    with app.app_context():
        application_id = db.session.scalars(select(RecusalApplication.id)).one()
    admin = app.test_client()
    login(admin, "scjg_admin")
    token = csrf_token(admin, "/applications/")
    response = admin.post(f"/applications/recusals/{application_id}", data={"csrf_token": token, "decision": "reject"})
    assert response.status_code == 422 and "请写明理由" in response.get_data(as_text=True)
    admin.post(f"/applications/recusals/{application_id}",
               data={"csrf_token": token, "decision": "reject", "response": "经核查，该人员与企业无利害关系"})
    page = portal.get("/enterprise/recusals").get_data(as_text=True)
    assert "不予回避" in page and "无利害关系" in page
    with app.app_context():
        assert db.session.scalars(select(RecusalRequest).where(
            RecusalRequest.enterprise_id == s["enterprise_id"])).all() == []
