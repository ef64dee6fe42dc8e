"""Document pages: issue from an inspection, the page and its PDF, void with a reason; forged and foreign requests."""
from sqlalchemy import select

from extensions import db
from models import Document, Inspection
from tests import factories
from tests.conftest import csrf_token
from tests.e2e.journey import user_client


def test_issue_view_download_and_void(app):
    campaign_id, _ = factories.campaign_at(app, "inspected", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).first()
        inspection_id, name = inspection.id, inspection.enterprise.name
    lead = user_client(app, "scjg_01")
    page = f"/documents/inspections/{inspection_id}"
    assert "尚未出具文书" in lead.get(page).get_data(as_text=True)
    response = lead.post(page, data={"csrf_token": csrf_token(lead, page), "kind": "inspection_record"},
                         follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "现场检查笔录" in text and name in text and "检录字第0001号" in text
    with app.app_context():
        document_id = db.session.scalars(select(Document.id)).one()
    pdf = lead.get(f"/documents/{document_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    voided = lead.post(f"/documents/{document_id}/void",
                       data={"csrf_token": csrf_token(lead, f"/documents/{document_id}"), "reason": "信息有误，重新出具"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已作废" in voided and "信息有误" in voided
    assert lead.post(page, data={"kind": "inspection_record"}).status_code == 400  # no CSRF token
    outsider = user_client(app, "hb_01")
    assert outsider.get(f"/documents/{document_id}").status_code == 403
    assert outsider.get(f"/documents/{document_id}.pdf").status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Document.status)).all() == ["voided"]
