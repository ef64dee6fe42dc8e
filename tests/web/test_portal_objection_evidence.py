"""Evidence with an objection: the enterprise attaches photos/PDFs (the inspection evidence checks), the lead
department answering sees them, others do not; oversized or disguised files are refused and nothing is kept."""
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from extensions import db
from models import HumanTask, Objection, ObjectionEvidence
from tests.conftest import csrf_token
from tests.e2e.journey import user_client
from tests.web.test_portal import _login
from tests.web.test_portal_objections import published  # noqa: F401 - the fixture

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"0" * 100


@pytest.fixture
def evidence_dir(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    app.config["EVIDENCE_MAX_BYTES"] = 4096
    return tmp_path / "evidence"


def _object(client, inspection_id: int, item_ids: list[int], files, reason="检查当日已现场整改，附整改照片"):
    path = f"/enterprise/inspections/{inspection_id}"
    data = {"csrf_token": csrf_token(client, path), "item_ids": [str(i) for i in item_ids], "reason": reason,
            "evidence": [(io.BytesIO(content), name) for content, name in files]}
    return client.post(f"{path}/objection", data=data, content_type="multipart/form-data")


def _stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_objection_with_a_photo_and_a_pdf_is_seen_by_the_answering_department(app, published, evidence_dir):
    inspection_id, enterprise_id, items = published
    portal = app.test_client()
    _login(app, portal, enterprise_id)
    form = portal.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and "佐证材料（照片或 PDF" in form
    assert _object(portal, inspection_id, items[:1], [(JPEG, "现场照片.jpg"), (PDF, "整改说明.pdf")]).status_code == 302
    with app.app_context():
        photo, pdf = db.session.scalars(select(ObjectionEvidence).order_by(ObjectionEvidence.id)).all()
        task = db.session.scalars(select(HumanTask).where(HumanTask.form_key == "objection_review")).one()
        photo_id, pdf_id, task_id = photo.id, pdf.id, task.id
    assert len(_stored(evidence_dir)) == 2
    page = portal.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert "现场照片.jpg" in page and "整改说明.pdf" in page
    assert portal.get(f"/enterprise/objection-files/{photo_id}").data == JPEG

    lead = user_client(app, "scjg_01")
    task_page = lead.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert "企业提交的佐证材料" in task_page and "现场照片.jpg" in task_page and "整改说明.pdf" in task_page
    assert lead.get(f"/applications/objection-files/{photo_id}").data == JPEG
    downloaded = lead.get(f"/applications/objection-files/{pdf_id}")
    assert downloaded.data == PDF and "attachment" in downloaded.headers["Content-Disposition"]
    assert user_client(app, "supervisor").get(f"/applications/objection-files/{photo_id}").status_code == 200
    assert user_client(app, "wjw_01").get(f"/applications/objection-files/{photo_id}").status_code == 403
    assert app.test_client().get(f"/enterprise/objection-files/{photo_id}").status_code == 302  # to the login


def test_another_enterprise_cannot_open_the_files(app, published, evidence_dir):
    inspection_id, enterprise_id, items = published
    portal = app.test_client()
    _login(app, portal, enterprise_id)
    assert _object(portal, inspection_id, items[:1], [(JPEG, "a.jpg")]).status_code == 302
    with app.app_context():
        file_id = db.session.scalars(select(ObjectionEvidence.id)).one()
        other = db.session.scalars(select(Objection.enterprise_id)).one() + 0
        from models import Enterprise
        stranger = db.session.scalars(select(Enterprise.id).where(Enterprise.id != other,
                                                                  Enterprise.contact_mobile.is_not(None))).first()
    intruder = app.test_client()
    _login(app, intruder, stranger)
    assert intruder.get(f"/enterprise/objection-files/{file_id}").status_code == 404


@pytest.mark.parametrize("content, name, message", [
    (b"\xff\xd8\xff" + b"\x00" * 5000, "big.jpg", "大小限制"),
    (b"MZ\x90\x00" + b"\x00" * 100, "photo.jpg", "不是允许的类型"),
    (b"<html>not a pdf</html>", "scan.pdf", "不是允许的类型"),
])
def test_oversized_or_disguised_evidence_refuses_the_objection_and_keeps_nothing(app, published, evidence_dir,
                                                                                 content, name, message):
    inspection_id, enterprise_id, items = published
    portal = app.test_client()
    _login(app, portal, enterprise_id)
    response = _object(portal, inspection_id, items[:1], [(JPEG, "good.jpg"), (content, name)])
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and name in body and "未保存" in body
    with app.app_context():
        assert db.session.scalars(select(Objection)).all() == []
        assert db.session.scalars(select(ObjectionEvidence)).all() == []
        assert db.session.scalars(select(HumanTask).where(HumanTask.form_key == "objection_review")).all() == []
    assert _stored(evidence_dir) == []
