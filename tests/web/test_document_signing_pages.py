"""Pages of the documents blueprint added for issue 24: on-site signing (form, CSRF, Chinese errors with nothing
stored), the template editor (admin only; a refused template shows why and keeps the text), issuing a 移送函
with its transfer chosen on the page."""
from sqlalchemy import func, select

from extensions import db
from models import Document, DocumentSignature, DocumentTemplate, Inspection
from services.documents import issuing
from tests import factories
from tests.conftest import csrf_token
from tests.e2e.journey import user_client
from tests.services.document_state import transferred
from tests.services.test_document_archive import signature_png
from tests.services.test_documents import _user


def test_sign_page_takes_the_pad_and_refuses_a_blank_one(app):
    campaign_id, _ = factories.campaign_at(app, "inspected", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).first()
        document_id = issuing.issue(_user("scjg_01"), inspection.id, "inspection_record").id
        name = inspection.enterprise.name
    lead = user_client(app, "scjg_01")
    page = f"/documents/{document_id}/sign"
    html = lead.get(page).get_data(as_text=True)
    assert 'id="signature-pad"' in html and "signature_pad" in html and "请被检查单位代表在框内签字" in html
    assert lead.post(page, data={"signer": "王经理", "signature": signature_png()}).status_code == 400  # no CSRF
    refused = lead.post(page, data={"csrf_token": csrf_token(lead, page), "signer": "王", "signature": "x"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请在签名框内签字" in text and "error-summary" in text
    signed = lead.post(page, data={"csrf_token": csrf_token(lead, page), "signer": "王经理",
                                   "signature": signature_png()}, follow_redirects=True).get_data(as_text=True)
    assert "已登记被检查单位代表的签字" in signed and "王经理" in signed and "手写签名板" in signed
    with app.app_context():
        assert db.session.scalar(select(func.count(DocumentSignature.id))) == 1
    history = lead.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "代表在执法文书上的签字" in history and name in history and "document.sign" not in history


def test_template_editor_for_admins(app):
    admin = user_client(app, "admin")
    assert "/documents/templates" in admin.get("/org/").get_data(as_text=True)
    page = "/documents/templates?kind=result_notice"
    html = admin.get(page).get_data(as_text=True)
    assert "现行模板：系统默认模板" in html and "公示日期" in html
    refused = admin.post("/documents/templates", data={
        "csrf_token": csrf_token(admin, page), "kind": "result_notice", "body": "{{ enterprise.__class__ }}"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "模板不允许访问内部属性" in text and "enterprise.__class__" in text
    saved = admin.post("/documents/templates", data={
        "csrf_token": csrf_token(admin, page), "kind": "result_notice", "note": "加联系电话",
        "body": "检查结果：{{ result }}\n咨询电话：0713-1234567"}, follow_redirects=True).get_data(as_text=True)
    assert "模板已保存为第 1 版" in saved and "加联系电话" in saved
    with app.app_context():
        assert db.session.scalar(select(func.count(DocumentTemplate.id))) == 1
    assert user_client(app, "scjg_01").get(page).status_code == 403


def test_issue_a_transfer_letter_from_the_documents_page(app):
    _, inspection_id = transferred(app)
    lead = user_client(app, "scjg_01")
    page = f"/documents/inspections/{inspection_id}"
    html = lead.get(page).get_data(as_text=True)
    assert "移送 蕲春县公安局" in html and "案件移送函" in html and "整改复查意见书" in html
    with app.app_context():
        from models import Transfer
        transfer_id = db.session.scalar(select(Transfer.id))
    shown = lead.post(page, data={"csrf_token": csrf_token(lead, page), "kind": "case_transfer",
                                  "subject_case_transfer": transfer_id}, follow_redirects=True).get_data(as_text=True)
    assert "移送字第0001号" in shown and "蕲春县公安局" in shown and "现场签字" in shown
    refused = lead.post(page, data={"csrf_token": csrf_token(lead, page), "kind": "reinspection_opinion"})
    assert refused.status_code == 409 and "尚未复查" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 1
