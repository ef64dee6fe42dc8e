"""The enterprise representative's signature: from the pad (PNG) or a photo of the signed paper, stored as
evidence with the upload checks, printed on the PDF with its SHA-256 beside the record's hash."""
import base64
import hashlib
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from extensions import db
from models import DocumentSignature, Evidence, Inspection, User
from services.documents import issuing, signatures
from services.errors import Conflict, Forbidden, ValidationFailed
from services.stages import evidence
from tests import factories
from tests.services.test_document_archive import signature_png
from tests.services.test_documents import _text, _user


@pytest.fixture
def record(app):
    campaign_id, _ = factories.campaign_at(app, "inspected", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).first()
        yield issuing.issue(_user("scjg_01"), inspection.id, "inspection_record")


def test_pad_signature_is_evidence_and_printed_with_its_hash(record):
    officer = db.session.get(Inspection, record.inspection_id).officers[0].user
    data_url = signature_png()
    signed = signatures.sign_on_pad(officer, record.id, data_url, "王经理")
    proof = db.session.get(Evidence, signed.evidence_id)
    assert proof.sha256 == hashlib.sha256(base64.b64decode(data_url.split(",", 1)[1])).hexdigest()
    assert proof.mime == "image/png" and proof.inspection_id == record.inspection_id
    assert evidence.file_path(proof.sha256).is_file()
    text = _text(issuing.pdf(officer, record.id)[1])
    assert proof.sha256 in text and record.record_sha256 in text and "王经理" in text and "手写签名板" in text


def test_photo_of_the_signed_paper(record):
    lead = _user("scjg_01")
    photo = io.BytesIO()
    Image.new("RGB", (200, 120), (250, 250, 240)).save(photo, format="JPEG")
    signed = signatures.attach_photo(lead, record.id, evidence.Upload(None, "签字页.jpg", io.BytesIO(photo.getvalue())),
                                     "李会计")
    proof = db.session.get(Evidence, signed.evidence_id)
    assert proof.mime == "image/jpeg" and proof.sha256 == hashlib.sha256(photo.getvalue()).hexdigest()
    assert proof.sha256 in _text(issuing.pdf(lead, record.id)[1])


def test_bad_signatures_are_refused_and_nothing_is_stored(record):
    lead = _user("scjg_01")
    blank = io.BytesIO()
    Image.new("RGBA", (300, 120), (0, 0, 0, 0)).save(blank, format="PNG")
    blank_url = "data:image/png;base64," + base64.b64encode(blank.getvalue()).decode()
    cases = [
        (lambda: signatures.sign_on_pad(lead, record.id, blank_url, "王经理"), "签名为空"),
        (lambda: signatures.sign_on_pad(lead, record.id, "data:image/png;base64,@@@", "王经理"), "无法识别"),
        (lambda: signatures.sign_on_pad(lead, record.id, "", "王经理"), "请在签名框内签字"),
        (lambda: signatures.sign_on_pad(lead, record.id, signature_png(), ""), "签字人姓名"),
        (lambda: signatures.attach_photo(lead, record.id, evidence.Upload(None, "a.pdf", io.BytesIO(b"%PDF-1.4 x")),
                                         "王经理"), "JPEG 或 PNG"),
        (lambda: signatures.attach_photo(lead, record.id, evidence.Upload(None, "a.exe", io.BytesIO(b"MZ\x90")),
                                         "王经理"), "不是允许的类型"),
    ]
    for attempt, words in cases:
        with pytest.raises(ValidationFailed) as refused:
            attempt()
        assert words in str(refused.value.errors)
    assert db.session.scalar(select(func.count(DocumentSignature.id))) == 0
    assert db.session.scalar(select(func.count(Evidence.id))) == 0


def test_who_may_record_a_signature(record):
    outsider = db.session.scalars(select(User).where(User.username == "hb_01")).one()
    with pytest.raises(Forbidden):
        signatures.sign_on_pad(outsider, record.id, signature_png(), "王经理")
    issuing.void(_user("scjg_01"), record.id, "文书内容有误，重新出具")
    with pytest.raises(Conflict):
        signatures.sign_on_pad(_user("scjg_01"), record.id, signature_png(), "王经理")
