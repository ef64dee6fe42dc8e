"""Rectification online: the enterprise submits what it fixed, item by item, with photos; the department
accepts (the rectification closes through the follow-up flow) or returns it with reasons; bad files are refused
with nothing stored; another enterprise sees none of it."""
from pathlib import Path

import pytest
from sqlalchemy import select

from extensions import db
from models import (ClaimEvidence, Department, FollowUp, HumanTask, Inspection, Notification, OutboxMessage,
                    RectificationClaim, User)
from services.portal import claims
from tests import factories
from tests.conftest import csrf_token, login
from tests.web.test_portal import _login

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"0" * 100


@pytest.fixture
def ordered(app, tmp_path):
    """A campaign after diagnosis: the problem enterprise has an open rectification order."""
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    app.config["EVIDENCE_MAX_BYTES"] = 4096
    campaign_id, _ = factories.campaign_at(app, "diagnosed", enterprises=2)
    with app.app_context():
        follow_up = db.session.scalars(select(FollowUp).where(FollowUp.campaign_id == campaign_id,
                                                              FollowUp.status == "open")).first()
        inspection = db.session.get(Inspection, follow_up.inspection_id)
        other = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id,
                                                            Inspection.id != inspection.id)).first()
        [item_id] = [i for i, _ in claims.failed_items(inspection.id)][:1]
        task = db.session.scalars(select(HumanTask).where(HumanTask.inspection_id == inspection.id,
                                                          HumanTask.form_key == "rectification")).one()
        officer = (db.session.get(User, task.candidates[0].user_id).username if task.candidates
                   else f"{db.session.get(Department, task.department_id).code}_01")
        return {"inspection_id": inspection.id, "enterprise_id": inspection.enterprise_id, "item_id": item_id,
                "follow_up_id": follow_up.id, "task_id": task.id, "officer": officer,
                "other_enterprise_id": other.enterprise_id, "other_inspection_id": other.id}


def _submit(client, s: dict, action: str = "已更换灭火器并张贴检查标签", files=None):
    path = f"/enterprise/inspections/{s['inspection_id']}/rectification"
    files = [(JPEG, "after.jpg")] if files is None else files
    data = {"csrf_token": csrf_token(client, path), f"action-{s['item_id']}": action,
            f"evidence-{s['item_id']}": [(__import__("io").BytesIO(content), name) for content, name in files]}
    return client.post(path, data=data, content_type="multipart/form-data")


def _stored_files(app) -> list[Path]:
    root = Path(app.config["EVIDENCE_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_claim_accepted_closes_the_rectification(app, ordered):
    s = ordered
    portal = app.test_client()
    _login(app, portal, s["enterprise_id"])
    page = portal.get(f"/enterprise/inspections/{s['inspection_id']}").get_data(as_text=True)
    assert "在线提交整改情况" in page
    assert _submit(portal, s, files=[(JPEG, "after.jpg"), (PDF, "发票.pdf")]).status_code == 302
    page = portal.get(f"/enterprise/inspections/{s['inspection_id']}/rectification").get_data(as_text=True)
    assert "待审核" in page and "已更换灭火器" in page and "after.jpg" in page and "提交整改情况" not in page
    with app.app_context():
        claim = db.session.scalars(select(RectificationClaim)).one()
        assert db.session.scalars(select(Notification).where(Notification.kind == claims.NOTICE_KIND)).all()
        [jpeg_file, _pdf] = db.session.scalars(select(ClaimEvidence).order_by(ClaimEvidence.id)).all()
    assert portal.get(f"/enterprise/claim-files/{jpeg_file.id}").data == JPEG
    assert _submit(portal, s).status_code == 409  # one claim waiting at a time
    official = app.test_client()
    login(official, s["officer"])
    listing = official.get("/applications/").get_data(as_text=True)
    assert f"/applications/claims/{claim.id}" in listing
    task_page = official.get(f"/inbox/tasks/{s['task_id']}").get_data(as_text=True)
    assert "企业在线申报的整改情况" in task_page and "已更换灭火器" in task_page
    downloaded = official.get(f"/applications/claim-files/{jpeg_file.id}")
    assert downloaded.status_code == 200 and downloaded.data == JPEG
    token = csrf_token(official, f"/applications/claims/{claim.id}")
    assert official.post(f"/applications/claims/{claim.id}/accept", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        follow_up = db.session.get(FollowUp, s["follow_up_id"])
        assert follow_up.rectified is True and "已更换灭火器" in follow_up.rectification
        assert db.session.get(HumanTask, s["task_id"]).status == "completed"
        assert db.session.get(RectificationClaim, claim.id).status == "accepted"
        assert db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "rectification_claim_accepted")).one()
        reinspection = db.session.scalars(select(HumanTask).where(
            HumanTask.inspection_id == s["inspection_id"], HumanTask.form_key == "reinspection")).first()
    assert ("审核通过" in portal.get(f"/enterprise/inspections/{s['inspection_id']}/rectification")
            .get_data(as_text=True))
    if reinspection is not None:  # a re-inspection shows what the enterprise claimed, with its files
        assert follow_up.reinspect
        page = official.get(f"/inbox/tasks/{reinspection.id}").get_data(as_text=True)
        assert "企业在线申报的整改情况" in page and "after.jpg" in page
    else:
        assert follow_up.status == "closed"


def test_returned_claim_keeps_the_rectification_open_and_may_be_resubmitted(app, ordered):
    s = ordered
    portal = app.test_client()
    _login(app, portal, s["enterprise_id"])
    _submit(portal, s)
    official = app.test_client()
    login(official, s["officer"])
    with app.app_context():
        claim_id = db.session.scalars(select(RectificationClaim.id)).one()
    token = csrf_token(official, f"/applications/claims/{claim_id}")
    short = official.post(f"/applications/claims/{claim_id}/return", data={"csrf_token": token, "reason": "不"})
    assert short.status_code == 422 and "请写明退回理由" in short.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RectificationClaim, claim_id).status == "submitted"
    official.post(f"/applications/claims/{claim_id}/return",
                  data={"csrf_token": token, "reason": "照片看不清灭火器压力表，请补拍"})
    page = portal.get(f"/enterprise/inspections/{s['inspection_id']}/rectification").get_data(as_text=True)
    assert "已退回" in page and "请补拍" in page and "提交整改情况" in page
    with app.app_context():
        assert db.session.get(FollowUp, s["follow_up_id"]).status == "open"
        assert db.session.get(HumanTask, s["task_id"]).status == "open"
        assert db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "rectification_claim_returned")).one()
    assert _submit(portal, s, action="已补拍压力表照片").status_code == 302
    with app.app_context():
        assert [c.status for c in db.session.scalars(select(RectificationClaim).order_by(RectificationClaim.id))] \
            == ["returned", "submitted"]


@pytest.mark.parametrize("content, name, message", [
    (b"\xff\xd8\xff" + b"\x00" * 5000, "big.jpg", "大小限制"),
    (b"MZ\x90\x00" + b"\x00" * 100, "photo.jpg", "不是允许的类型"),
])
def test_oversized_or_disguised_evidence_is_refused_and_nothing_is_stored(app, ordered, content, name, message):
    s = ordered
    portal = app.test_client()
    _login(app, portal, s["enterprise_id"])
    response = _submit(portal, s, files=[(JPEG, "good.jpg"), (content, name)])
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(RectificationClaim)).all() == []
        assert db.session.scalars(select(ClaimEvidence)).all() == []
    assert _stored_files(app) == []


def test_claim_needs_an_item_and_a_file(app, ordered):
    s = ordered
    portal = app.test_client()
    _login(app, portal, s["enterprise_id"])
    response = _submit(portal, s, action="", files=[])
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "请逐项填写" in body and "请上传整改照片" in body
    with app.app_context():
        assert db.session.scalars(select(RectificationClaim)).all() == []


def test_another_enterprise_sees_nothing_of_the_claim(app, ordered):
    s = ordered
    owner = app.test_client()
    _login(app, owner, s["enterprise_id"])
    _submit(owner, s)
    with app.app_context():
        file_id = db.session.scalars(select(ClaimEvidence.id)).first()
    stranger = app.test_client()
    _login(app, stranger, s["other_enterprise_id"])
    assert stranger.get(f"/enterprise/inspections/{s['inspection_id']}/rectification").status_code == 404
    assert stranger.get(f"/enterprise/claim-files/{file_id}").status_code == 404
    # its own inspection has no rectification order: the page says so and a post is refused
    page = stranger.get(f"/enterprise/inspections/{s['other_inspection_id']}/rectification")
    assert page.status_code == 200 and "该检查没有待整改的要求" in page.get_data(as_text=True)
    other = dict(s, inspection_id=s["other_inspection_id"])
    assert _submit(stranger, other).status_code == 409
