"""Credit repair: after a verified, closed rectification the enterprise applies; the lead department decides;
the decision reaches the enterprise and the department's XLSX export."""
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from extensions import db
from models import CreditRepair, FollowUp, Inspection, OutboxMessage
from tests import factories
from tests.conftest import csrf_token, login
from tests.web.test_portal import _login


def _orders(app, campaign_id: int) -> tuple[int, int, int]:
    with app.app_context():
        follow_up = db.session.scalars(select(FollowUp).where(FollowUp.campaign_id == campaign_id)).first()
        other = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id,
                                                            Inspection.id != follow_up.inspection_id)).first()
        return follow_up.id, follow_up.inspection.enterprise_id, other.enterprise_id


def _apply(client, follow_up_id, statement="已按要求整改到位并经复查确认，申请信用修复"):
    return client.post("/enterprise/credit-repair", data={
        "csrf_token": csrf_token(client, "/enterprise/credit-repair"), "follow_up_id": str(follow_up_id),
        "statement": statement})


def test_credit_repair_granted_and_exported(app):
    campaign_id, _ = factories.campaign_at(app, "rectified", enterprises=2)
    follow_up_id, enterprise_id, other_id = _orders(app, campaign_id)
    portal = app.test_client()
    _login(app, portal, enterprise_id)
    response = _apply(portal, follow_up_id, "短")
    assert response.status_code == 422 and "请说明申请信用修复的理由" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(CreditRepair)).all() == []
    assert _apply(portal, follow_up_id).status_code == 302
    page = portal.get("/enterprise/credit-repair").get_data(as_text=True)
    assert "待审核" in page and "目前没有可申请信用修复的整改记录" in page
    assert _apply(portal, follow_up_id).status_code == 409  # one application per order at a time
    stranger = app.test_client()
    _login(app, stranger, other_id)
    assert _apply(stranger, follow_up_id).status_code == 404
    lead = app.test_client()
    login(lead, "scjg_01")
    listing = lead.get("/applications/").get_data(as_text=True)
    assert "已按要求整改到位" in listing
    with app.app_context():
        repair_id = db.session.scalars(select(CreditRepair.id)).one()
    token = csrf_token(lead, "/applications/")
    refused = lead.post(f"/applications/credit-repairs/{repair_id}",
                        data={"csrf_token": token, "decision": "refuse", "response": "不行"})
    page = refused.get_data(as_text=True)
    # The summary links to that application's reply, which is marked, described by its message and keeps "不行".
    assert refused.status_code == 422 and "不予信用修复的，请写明理由（5–2000 字）" in page
    assert f'href="#f-repair-{repair_id}"' in page and f'aria-describedby="e-repair-{repair_id}"' in page
    assert re.search(rf'<textarea id="f-repair-{repair_id}"[^>]*aria-invalid="true"[^>]*>不行</textarea>', page)
    assert "<title>企业申请" in page and "待审核的回避申请" not in page.split("</title>")[0]
    partner = app.test_client()
    login(partner, "wjw_01")
    assert partner.post(f"/applications/credit-repairs/{repair_id}",
                        data={"csrf_token": csrf_token(partner, "/applications/"), "decision": "grant"}).status_code == 403
    assert lead.post(f"/applications/credit-repairs/{repair_id}",
                     data={"csrf_token": token, "decision": "grant", "response": "整改到位，准予修复"}).status_code == 302
    assert "准予信用修复" in portal.get("/enterprise/credit-repair").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(CreditRepair, repair_id).status == "granted"
        assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "credit_repair_outcome")).one()
    exported = lead.get("/applications/credit-repairs.xlsx")
    rows = list(load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "统一社会信用代码" and rows[1][5] == "准予信用修复" and rows[1][7] == "整改到位，准予修复"


def test_no_repair_before_the_rectification_is_verified(app):
    campaign_id, _ = factories.campaign_at(app, "diagnosed", enterprises=2)
    follow_up_id, enterprise_id, _ = _orders(app, campaign_id)
    portal = app.test_client()
    _login(app, portal, enterprise_id)
    assert "目前没有可申请信用修复的整改记录" in portal.get("/enterprise/credit-repair").get_data(as_text=True)
    response = _apply(portal, follow_up_id)
    assert response.status_code == 409 and "尚未经核实办结" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(CreditRepair)).all() == []
