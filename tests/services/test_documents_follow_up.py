"""整改复查意见书, 案件移送函 and 移交函: issued from the re-inspection, the transfer and the referral they are
about, rendered to PDF and read back (number, enterprise, findings, record hash)."""
from io import BytesIO

import pytest
from sqlalchemy import select

from extensions import db
from models import Department, Evidence, Inspection, Referral
from services.documents import issuing
from services.errors import Conflict, ValidationFailed
from services.stages import evidence, referrals
from tests import factories
from tests.services.document_state import reinspected, transferred
from tests.services.test_documents import _text, _user


def _read_back(actor, document) -> str:
    text = _text(issuing.pdf(actor, document.id)[1])
    inspection = db.session.get(Inspection, document.inspection_id)
    assert document.number in text and inspection.enterprise.name in text and inspection.enterprise.uscc in text
    assert document.record_sha256 in text
    return text


def test_reinspection_opinion_after_the_reinspection(app):
    _, inspection_id = reinspected(app)
    with app.app_context():
        lead = _user("scjg_01")
        document = issuing.issue(lead, inspection_id, "reinspection_opinion")
        text = _read_back(lead, document)
        assert "整改复查意见书" in text and "复查字第0001号" in document.number
        assert "已更换过期灭火器" in text and "现场复查灭火器均在有效期内" in text and "整改到位，予以销号" in text
        failed_item = document.data["problems"][0]["item"]
        assert failed_item.replace(" ", "") in text


def test_no_reinspection_opinion_before_a_reinspection(app):
    campaign_id, _ = factories.campaign_at(app, "diagnosed", enterprises=2)
    with app.app_context():
        inspection_id = db.session.scalars(select(Inspection.id).where(Inspection.campaign_id == campaign_id,
                                                                       Inspection.result_code == "02")).one()
        with pytest.raises(Conflict, match="尚未复查"):
            issuing.issue(_user("scjg_01"), inspection_id, "reinspection_opinion")


def test_case_transfer_letter_names_the_receiving_authority(app):
    _, inspection_id = transferred(app)
    with app.app_context():
        lead = _user("scjg_01")
        document = issuing.issue(lead, inspection_id, "case_transfer")
        text = _read_back(lead, document)
        assert "案件移送函" in text and "移送字第0001号" in document.number
        assert "蕲春县公安局" in text and "涉嫌生产销售伪劣产品" in text
        assert document.data["problems"] and document.data["problems"][0]["item"].replace(" ", "") in text
        with pytest.raises(Conflict, match="没有移交记录"):
            issuing.issue(lead, inspection_id, "referral_letter")


def test_referral_letter_lists_the_finding_and_its_evidence_hashes(app, tmp_path):
    campaign_id, _ = factories.campaign_at(app, "inspected", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).first()
        officer = inspection.officers[0]
        target = next(d for d in db.session.scalars(select(Department))
                      if d.id != officer.department_id and d.region_id == officer.department.region_id)
        png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        [proof] = evidence.store(officer.user, inspection.id, [evidence.Upload(None, "安全出口.png", BytesIO(png))])
        referral = referrals.create(officer.user, inspection.id, target.id, "安全出口被货物堵塞，属消防职责",
                                    evidence_ids=[proof.id])
        document = issuing.issue(officer.user, inspection.id, "referral_letter", referral.id)
        text = _read_back(officer.user, document)
        assert "移交函" in text and target.name in text and "安全出口被货物堵塞" in text
        assert proof.sha256 in text and "安全出口.png" in text
        with pytest.raises(ValidationFailed):
            issuing.issue(officer.user, inspection.id, "referral_letter", referral.id + 999)
        assert db.session.scalar(select(Referral.id)) == referral.id
        assert db.session.scalar(select(Evidence.id)) == proof.id
