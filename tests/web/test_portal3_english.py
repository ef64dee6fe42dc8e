"""The enterprise's new pages and the departments' request page in English: no Chinese chrome, nothing
untranslated (stored data such as names and checklist texts aside)."""
from sqlalchemy import select

from extensions import db
from models import FollowUp
from tests import factories
from tests.conftest import csrf_token
from tests.web.test_i18n import assert_english, english_client, stored_strings
from tests.web.test_portal import _login


def test_portal3_pages_in_english(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    campaign_id, _ = factories.campaign_at(app, "diagnosed", enterprises=2)
    with app.app_context():
        follow_up = db.session.scalars(select(FollowUp).where(FollowUp.campaign_id == campaign_id)).first()
        inspection_id, enterprise_id = follow_up.inspection_id, follow_up.inspection.enterprise_id
        industry_id = follow_up.inspection.enterprise.industry_id
    portal = english_client(app)
    _login(app, portal, enterprise_id)
    token = csrf_token(portal, "/enterprise/recusals")
    portal.post("/enterprise/recusals", data={"csrf_token": token, "cert_no": "X", "reason": "短"})
    data = stored_strings(app)
    for path in ("/enterprise/", f"/enterprise/inspections/{inspection_id}",
                 f"/enterprise/inspections/{inspection_id}/rectification", "/enterprise/recusals",
                 "/enterprise/credit-repair", "/enterprise/self-check", "/enterprise/guide/",
                 f"/enterprise/guide/industries/{industry_id}"):
        assert_english(portal.get(path), data)
    refused = portal.post("/enterprise/recusals", data={"csrf_token": token, "cert_no": "", "reason": ""})
    assert refused.status_code == 422 and "Enter the officer" in refused.get_data(as_text=True)
    assert_english(refused, data)
    official = english_client(app, "scjg_admin")
    assert_english(official.get("/applications/"), data)
