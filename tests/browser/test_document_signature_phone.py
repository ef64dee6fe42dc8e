"""On-site signing on a phone, in a real browser: the enterprise's representative draws on the signature pad,
the officer submits, and the signature's SHA-256 is found in the document's PDF; the sign, document and 一户一档 pages fit the phone's
width and axe finds no serious violation on them (screenshot kept)."""
import re
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from extensions import db
from models import DocumentSignature, Evidence, Inspection
from services.documents import issuing
from tests import factories
from tests.browser.a11y import axe_violations
from tests.browser.conftest import PHONE, login, screenshot
from tests.services.test_documents import _user


def test_representative_signs_on_the_pad_and_the_pdf_carries_the_hash(app, live_server, phone_page):
    campaign_id, _ = factories.campaign_at(app, "inspected", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).first()
        officer = inspection.officers[0].user.username
        document_id = issuing.issue(_user("scjg_01"), inspection.id, "inspection_record").id
    page = phone_page
    login(page, live_server, officer)
    page.goto(f"{live_server}/documents/{document_id}/sign")
    assert axe_violations(page) == []
    page.fill("#f-signer", "王经理")
    page.click("#sign-form button[type=submit]")  # nothing drawn yet: the page says so and does not submit
    assert page.is_visible("#signature-empty") and page.url.endswith("/sign")
    pad = page.locator("#signature-pad").bounding_box()
    assert pad["width"] <= PHONE["viewport"]["width"]
    page.mouse.move(pad["x"] + 20, pad["y"] + pad["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(pad["x"] + 20 + step * pad["width"] / 14, pad["y"] + pad["height"] * (0.7 - (step % 3) * 0.2))
    page.mouse.up()
    page.click("#sign-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/documents/{document_id}$"))
    assert "已登记被检查单位代表的签字" in page.inner_text("main") and "王经理" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    screenshot(page, "document-signed-phone")
    assert axe_violations(page) == []
    page.click("text=一户一档")
    page.wait_for_url(re.compile(r"/archive$"))
    assert "王经理" not in page.inner_text("main") and "现场签名.png" in page.inner_text("main")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    with app.app_context():
        [(signature, sha)] = db.session.execute(select(DocumentSignature, Evidence.sha256).join(
            Evidence, Evidence.id == DocumentSignature.evidence_id)).all()
        assert signature.method == "pad" and signature.document_id == document_id
    response = page.request.get(f"{live_server}/documents/{document_id}.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages))
    assert sha in text and "王经理" in text
