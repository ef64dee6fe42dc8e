"""Scope on pages and the API: a 太湖 user sees 太湖 only; direct URLs into 蕲春 answer 403 or 404."""
from sqlalchemy import select

from extensions import db
from models import Enterprise, PlanEntry, Region, User
from tests.conftest import csrf_token
from tests.e2e.journey import user_client
from tests.services.draw_support import campaign_ready, department
from tests.services.test_org_scope import _plan_data
from services.stages import plans
from tests.services.draw_support import user


def _token(client, username):
    token = client.post("/api/v1/tokens", json={"username": username, "password": "demo12345"}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_taihu_supervisor_pages_and_api(app):
    with app.app_context():
        campaign = campaign_ready()
        code, campaign_id = campaign.code, campaign.id
        qichun = db.session.scalars(select(Region.id).where(Region.code == "421126")).one()
        enterprise_id = db.session.scalars(select(Enterprise.id).where(Enterprise.region_id == qichun)).first()
        official_id = db.session.scalars(select(User.id).where(User.username == "scjg_02")).one()
        entry_id = plans.create_entry(user("supervisor"), _plan_data(department("scjg"))).id
    client = user_client(app, "th_supervisor")
    assert client.get(f"/campaigns/{campaign_id}").status_code == 403
    assert code not in client.get("/campaigns/").get_data(as_text=True)
    assert code not in client.get("/dashboard/").get_data(as_text=True)
    assert client.get(f"/directory/enterprises/{enterprise_id}").status_code == 404
    assert client.get(f"/directory/officials/{official_id}").status_code == 404
    listing = client.get("/directory/officials").get_data(as_text=True)
    assert "太湖县市场监督管理局" in listing and "蕲春县市场监督管理局" not in listing
    refused = client.post(f"/plans/{entry_id}/approve", data={"csrf_token": csrf_token(client, "/plans/")})
    assert refused.status_code == 403 and "管辖区域" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PlanEntry, entry_id).status == "draft"
    api = app.test_client()
    headers = _token(api, "th_supervisor")
    assert api.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).status_code == 403
    assert code not in [c["code"] for c in api.get("/api/v1/campaigns", headers=headers).get_json()["items"]]
    assert api.get(f"/api/v1/enterprises/{enterprise_id}", headers=headers).status_code == 404
    items = api.get("/api/v1/enterprises?per_page=100", headers=headers).get_json()["items"]
    assert items and all(e["uscc"][2:8] == "340825" for e in items)


def test_city_supervisor_sees_the_county_campaign(app):
    with app.app_context():
        campaign = campaign_ready()
        code, campaign_id = campaign.code, campaign.id
    client = user_client(app, "hg_supervisor")
    assert client.get(f"/campaigns/{campaign_id}").status_code == 200
    assert code in client.get("/dashboard/").get_data(as_text=True)
    api = app.test_client()
    assert code in [c["code"] for c in api.get("/api/v1/campaigns", headers=_token(api, "hg_supervisor")).get_json()["items"]]
