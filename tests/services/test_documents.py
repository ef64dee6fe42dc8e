"""Enforcement documents: each kind rendered to PDF from a simulated campaign and read back; numbering per
department, kind and year without gaps; a voided number is never issued again; who may issue and read."""
import re
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from extensions import db
from models import Document, FollowUp, Inspection, User
from services.documents import issuing, numbering
from services.errors import Conflict, Forbidden, ValidationFailed
from services.workflow import clock
from tests import factories


def _user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def _text(content: bytes) -> str:
    """The PDF's text as pypdf reads it back. fpdf2 embeds its two-byte encoding as a CMap stream, which pypdf
    decodes one byte at a time (a NUL before each character): drop those and the layout's whitespace."""
    raw = "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return re.sub(r"[\s\x00]+", "", raw)


@pytest.fixture
def diagnosed(app):
    campaign_id, _ = factories.campaign_at(app, "diagnosed", enterprises=2)
    with app.app_context():
        problem = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id,
                                                              Inspection.result_code == "02")).one()
        yield problem


def test_every_kind_renders_to_a_pdf_that_reads_back(diagnosed):
    lead = _user("scjg_01")
    year = clock.today().year
    for kind in ("inspection_record", "rectification_order", "result_notice"):
        document = issuing.issue(lead, diagnosed.id, kind)
        _, content = issuing.pdf(lead, document.id)
        text = _text(content)
        assert content.startswith(b"%PDF")
        assert document.number == f"{lead.department.name}〔{year}〕{numbering.KINDS[kind][1]}第0001号"
        assert document.number in text and numbering.KINDS[kind][0] in text
        assert diagnosed.enterprise.name in text and diagnosed.enterprise.uscc in text
        assert document.record_sha256 in text
    record = db.session.scalars(select(Document).where(Document.kind == "inspection_record")).one()
    text = _text(issuing.pdf(lead, record.id)[1])
    departments = {o.department.name for o in diagnosed.officers}
    assert len(departments) >= 2 and all(f"{name}检查情况" in text for name in departments)  # every department
    assert all(o.user.display_name in text for o in diagnosed.officers)
    assert "不符合" in text  # the failed item
    order = db.session.scalars(select(Document).where(Document.kind == "rectification_order")).one()
    deadline = db.session.scalars(select(FollowUp.deadline).where(FollowUp.inspection_id == diagnosed.id)).first()
    assert deadline.isoformat() in _text(issuing.pdf(lead, order.id)[1])


def test_numbers_follow_on_and_a_voided_number_is_never_reissued(diagnosed):
    lead = _user("scjg_01")
    first = issuing.issue(lead, diagnosed.id, "inspection_record")
    issuing.void(lead, first.id, "检查日期填写有误，重新出具")
    second = issuing.issue(lead, diagnosed.id, "inspection_record")
    assert (first.sequence, second.sequence) == (1, 2) and first.status == "voided"
    assert "已作废" in _text(issuing.pdf(lead, first.id)[1])
    with pytest.raises(Conflict):
        issuing.void(lead, first.id, "再次作废")
    with pytest.raises(ValidationFailed):
        issuing.void(lead, second.id, "")
    db.session.execute(select(Document))  # still both rows, numbers distinct
    assert len({d.number for d in db.session.scalars(select(Document))}) == 2


def test_prefix_and_numbering_are_per_department(diagnosed):
    from models import DocumentPrefix
    lead = _user("scjg_01")
    db.session.add(DocumentPrefix(department_id=lead.department_id, prefix="蕲市监"))
    db.session.commit()
    document = issuing.issue(lead, diagnosed.id, "rectification_order")
    assert document.number == f"蕲市监〔{clock.today().year}〕责改字第0001号"
    partner = next(o.user for o in diagnosed.officers if o.department_id != lead.department_id)
    other = issuing.issue(partner, diagnosed.id, "rectification_order")
    assert other.sequence == 1 and other.department_id == partner.department_id


def test_who_may_issue_and_read(diagnosed):
    outsider = db.session.scalars(select(User).where(User.username == "hb_01")).one()
    with pytest.raises(Forbidden):
        issuing.issue(outsider, diagnosed.id, "inspection_record")
    document = issuing.issue(_user("scjg_01"), diagnosed.id, "inspection_record")
    with pytest.raises(Forbidden):
        issuing.get(outsider, document.id)
    assert issuing.get(_user("supervisor"), document.id).id == document.id
    with pytest.raises(ValidationFailed):
        issuing.issue(_user("scjg_01"), diagnosed.id, "no_such_kind")


def test_nothing_to_order_and_not_yet_final(app):
    campaign_id, _ = factories.campaign_at(app, "drawn", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).first()
        with pytest.raises(Conflict):
            issuing.issue(_user("scjg_01"), inspection.id, "inspection_record")
        assert db.session.scalars(select(Document)).all() == []
