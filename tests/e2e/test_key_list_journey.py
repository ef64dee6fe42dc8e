"""E2E over HTTP: the lead department builds a key-object list, its campaign draws only from the list (定向),
and the supervisor's full draw record lists exactly the list's current members."""
import re

from sqlalchemy import select

from extensions import db
from models import Department, Draw, Enterprise
from tests.conftest import csrf_token
from tests.e2e.journey import initiate, plan_and_approve, report_in, scope, user_client


def test_a_campaign_draws_from_a_key_object_list(app):
    s = scope(app, 4)
    s["ratios"] = {c: 100 for c in "ABCD"}  # the whole scope would be drawn: only the list limits it
    _, campaign_id = plan_and_approve(app, s)
    lead = initiate(app, s, campaign_id)
    with app.app_context():
        region = db.session.get(Department, s["lead_id"]).region_id
        codes = list(db.session.scalars(select(Enterprise.uscc).where(
            Enterprise.industry_id == s["industry_id"], Enterprise.region_id == region, Enterprise.status == "存续")
            .order_by(Enterprise.id).limit(3)))
    token = csrf_token(lead, "/key-lists/")
    location = lead.post("/key-lists/", data={"csrf_token": token, "name": "酒类批发重点对象"}).headers["Location"]
    for code in codes:
        assert lead.post(location + "/members", data={"csrf_token": token, "uscc": code, "reason": "多次被投诉"}).status_code == 302
    assert f'value="{campaign_id}"' in lead.get(location).get_data(as_text=True)
    assert lead.post(location + "/campaigns", data={"csrf_token": token, "campaign_id": campaign_id}).status_code == 302
    report_in(app, s, campaign_id)
    with app.app_context():
        draw_id = db.session.scalars(select(Draw.id).where(Draw.campaign_id == campaign_id, Draw.status == "drawn")).one()
    full = user_client(app, "supervisor").get(f"/draws/{draw_id}/full").get_data(as_text=True)
    drawn = set(re.findall(r"<tr><td>\d+</td><td>([0-9A-Z]{18})</td>", full))
    assert drawn == set(codes)
