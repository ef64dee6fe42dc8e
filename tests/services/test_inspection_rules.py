"""Two-officer rule, locking and revisions, special outcomes, evidence uploads, referral escalation,
publication deadline timers — through the services, on a campaign brought to the inspection stage."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import (AuditRecord, Evidence, HumanTask, Inspection, InspectionDraft, Notification, Timer, User,
                    UserRole)
from services.workflow import clock
from services.stages import corrections
from services.stages import evidence
from services.stages import inspections
from services.stages import referrals
from services.workflow import tasks
from services.workflow import timers
from services.errors import Conflict, Forbidden, ValidationFailed
from tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def inspecting(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    campaign_id, _ = factories.campaign_at(app, "drawn", enterprises=2)
    with app.app_context():
        yield campaign_id


def _task(campaign_id: int, form_key: str = "joint_inspection", inspection_id: int | None = None) -> HumanTask:
    stmt = select(HumanTask).where(HumanTask.campaign_id == campaign_id, HumanTask.form_key == form_key,
                                   HumanTask.status == "open")
    if inspection_id is not None:
        stmt = stmt.where(HumanTask.inspection_id == inspection_id)
    return db.session.scalars(stmt.order_by(HumanTask.id)).first()


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _data(task: HumanTask, user: User, result_code="01", domain=None, fail=False) -> dict:
    rows = tasks.task_form(user, task.id).context.rows["checklist_items"]
    return {"items": [{"key": r.key, "result": "fail" if fail and i == 0 else "pass", "note": None} for i, r in enumerate(rows)],
            "result_code": result_code, "problem_domain": domain, "method": "实地检查",
            "inspected_on": clock.today().isoformat(), "summary": "内部记录"}


def _sign_twice(campaign_id: int, **kwargs) -> Inspection:
    task = _task(campaign_id)
    first, second = (_user(c.user_id) for c in task.candidates[:2])
    tasks.complete(first, task.id, _data(task, first, **kwargs))
    inspection = db.session.get(Inspection, task.inspection_id)
    assert inspection.status == "signed"  # one signature is not enough
    countersign = _task(campaign_id, inspection_id=inspection.id)
    assert countersign.inspection_id == inspection.id and countersign.element_id == "joint_inspection_countersign"
    tasks.complete(second, countersign.id, _data(countersign, second, **kwargs))
    db.session.refresh(inspection)
    return inspection


def test_final_only_after_two_signatures_then_locked(inspecting):
    inspection = _sign_twice(inspecting)
    assert inspection.status == "submitted" and inspection.revision == 1
    assert [r.number for r in inspection.revisions] == [1]
    officer = _user(inspection.officers[0].user_id)
    with pytest.raises(Conflict):
        inspections.save_draft(officer, inspection.id, {"summary": "晚了"})
    with pytest.raises(ValidationFailed):  # a correction needs a reason
        corrections.correct(officer, inspection.id, inspections.snapshot(inspection) | {"result_code": "04"}, "")
    data = inspections.snapshot(inspection) | {"result_code": "04"}
    revision = corrections.correct(officer, inspection.id, data, "复核：企业未开展相关经营活动")
    assert (revision.number, inspection.revision, inspection.result_code) == (2, 2, "04")
    assert inspection.revisions[0].data["result_code"] == "01"  # history keeps the first version
    assert revision.published_at is None  # not yet published: nothing to republish
    outsider = db.session.scalars(select(User).join(UserRole).where(
        UserRole.role == "official", User.id.not_in([o.user_id for o in inspection.officers]),
        User.department_id != inspection.campaign.lead_department_id)).first()
    with pytest.raises(Forbidden):
        corrections.correct(outsider, inspection.id, data | {"result_code": "01"}, "无权更正的尝试")


def test_unreachable_enterprise_gets_an_abnormal_list_deadline(inspecting):
    inspection = _sign_twice(inspecting, result_code="02", domain="03")
    assert inspection.abnormal_list_due is not None
    assert inspection.abnormal_list_due > clock.today() + timedelta(days=11)  # 10 working days > 10 calendar days
    timer = db.session.scalars(select(Timer).where(Timer.kind == "abnormal_list_due",
                                                   Timer.subject_id == inspection.id)).one()
    lead = inspection.campaign.lead_department_id
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "abnormal_list", Notification.department_id == lead)) == 1
    timers.fire_due(until=timer.due_at + timedelta(seconds=1))
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "abnormal_list_overdue", Notification.department_id == lead)) == 1


def test_listing_in_time_cancels_the_abnormal_list_timer(inspecting):
    inspection = _sign_twice(inspecting, result_code="02", domain="03")
    lead_official = db.session.scalars(select(User).where(User.username == "scjg_01")).one()
    inspections.mark_abnormal_listed(lead_official, inspection.id)
    assert db.session.scalars(select(Timer.status).where(Timer.kind == "abnormal_list_due")).one() == "cancelled"


def test_refusal_and_ceased_are_recorded_with_their_categories(inspecting):
    inspection = _sign_twice(inspecting, result_code="06")
    assert inspection.result_code == "06" and inspection.problem_domain is None
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "inspection_refusal")) == 1


def test_failed_item_requires_a_problem_category(inspecting):
    task = _task(inspecting)
    first = _user(task.candidates[0].user_id)
    with pytest.raises(ValidationFailed) as exc:
        tasks.complete(first, task.id, _data(task, first, result_code="01", fail=True))
    assert "result_code" in exc.value.errors


def _upload(name: str, content: bytes, item_id=None) -> evidence.Upload:
    return evidence.Upload(item_id, name, io.BytesIO(content))


def _stored_files(app) -> list:
    root = evidence.storage_dir()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_evidence_sniffing():
    assert evidence.sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert evidence.sniff(PNG) == "image/png"
    assert evidence.sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert evidence.sniff(b"\x00\x00\x00\x18ftypheic\x00\x00") == "image/heic"
    assert evidence.sniff(b"%PDF-1.7\n") == "application/pdf"
    for bad in (b"<html><script>", b"MZ\x90\x00", b"GIF89a", b"PK\x03\x04", b""):
        assert evidence.sniff(bad) is None


def test_upload_is_stored_by_hash_outside_the_web_root(app, inspecting):
    task = _task(inspecting)
    officer = _user(task.candidates[0].user_id)
    [row] = evidence.store(officer, task.inspection_id, [_upload("photo.jpg", PNG)])
    assert row.mime == "image/png"  # by content, whatever the extension says
    path = evidence.storage_dir() / row.sha256[:2] / row.sha256
    assert path.read_bytes() == PNG and "static" not in str(path)


@pytest.mark.parametrize("name, content, message", [
    ("照片.jpg", b"<?php system($_GET['c']); ?>", "不是允许的类型"),
    ("report.pdf", b"MZ\x90\x00executable", "不是允许的类型"),
    ("empty.png", b"", "空文件"),
])
def test_disguised_or_empty_uploads_are_refused_and_nothing_is_stored(app, inspecting, name, content, message):
    task = _task(inspecting)
    officer = _user(task.candidates[0].user_id)
    with pytest.raises(ValidationFailed) as exc:
        evidence.store(officer, task.inspection_id, [_upload("ok.png", PNG), _upload(name, content)])
    assert message in str(exc.value.errors)
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert _stored_files(app) == []


def test_oversized_upload_is_refused(app, inspecting):
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    task = _task(inspecting)
    officer = _user(task.candidates[0].user_id)
    with pytest.raises(ValidationFailed) as exc:
        evidence.store(officer, task.inspection_id, [_upload("big.png", PNG + b"\x00" * 2000)])
    assert "大小限制" in str(exc.value.errors)
    assert _stored_files(app) == [] and db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_only_matched_officers_upload_and_only_authorized_users_view(app, inspecting):
    task = _task(inspecting)
    officer = _user(task.candidates[0].user_id)
    stranger = db.session.scalars(select(User).where(User.username == "mz_01")).one()
    with pytest.raises(Forbidden):
        evidence.store(stranger, task.inspection_id, [_upload("a.png", PNG)])
    [row] = evidence.store(officer, task.inspection_id, [_upload("a.png", PNG)])
    with pytest.raises(Forbidden):
        evidence.open_for(stranger, row.id)
    assert evidence.open_for(officer, row.id)[0].id == row.id


def test_evidence_route_requires_login_and_authorization(app, client, inspecting):
    task = _task(inspecting)
    officer = _user(task.candidates[0].user_id)
    [row] = evidence.store(officer, task.inspection_id, [_upload("a.png", PNG)])
    assert client.get(f"/evidence/{row.id}").status_code == 302  # to the login page
    from tests.conftest import login
    login(client, "mz_01")
    assert client.get(f"/evidence/{row.id}").status_code == 403
    assert client.get(f"/static/../instance/evidence/{row.sha256[:2]}/{row.sha256}").status_code == 404


def test_overdue_referral_escalates_to_the_supervisor(inspecting):
    task = _task(inspecting)
    officer = _user(task.candidates[0].user_id)
    target = db.session.scalars(select(User).where(User.username == "mz_01")).one().department_id
    with pytest.raises(ValidationFailed):
        referrals.create(officer, task.inspection_id, officer.department_id, "本部门的问题不用移交")
    referral = referrals.create(officer, task.inspection_id, target, "发现养老服务问题，请民政局处理")
    assert referral.due_on > clock.today() and referral.instance_id is not None
    decision = _task(inspecting, "referral_decision")
    assert decision.department_id == target and decision.campaign_id == inspecting
    timer = db.session.scalars(select(Timer).where(Timer.kind == "referral_ack_overdue")).one()
    timers.fire_due(until=timer.due_at + timedelta(seconds=1))
    db.session.refresh(referral)
    assert referral.escalated_at is not None
    told = set(db.session.scalars(select(User.username).join(Notification, Notification.user_id == User.id).where(
        Notification.kind == "referral_overdue")))
    assert told == {"supervisor", "hg_supervisor"}  # the campaign's county and its city, not 太湖's supervisor
    assert referrals.figures(campaign_id=inspecting).overdue == 0  # the clock has not moved: not late yet
    clock.advance(timedelta(days=30))
    assert referrals.figures(campaign_id=inspecting).overdue == 1


def test_unpublished_result_past_its_deadline_notifies_the_lead_department(inspecting):
    from services.stages import publication
    inspection = _sign_twice(inspecting)
    timer = db.session.scalars(select(Timer).where(Timer.kind == "publication_overdue",
                                                   Timer.subject_id == inspection.id)).one()
    assert timer.due_at.date() >= inspection.publication_due - timedelta(days=1)
    clock.advance(timedelta(days=40))
    timers.fire_due()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "publication_overdue",
        Notification.department_id == inspection.campaign.lead_department_id)) == 1
    assert inspection in publication.overdue()
    assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.action == "inspection.sign", AuditRecord.object_id == inspection.id)) == 2


def test_signing_discards_only_the_signers_draft(inspecting):
    task = _task(inspecting)
    first, second = (_user(c.user_id) for c in task.candidates[:2])
    for officer in (first, second):
        inspections.save_draft(officer, task.inspection_id, {"summary": f"{officer.id} 的草稿"})
    tasks.complete(first, task.id, _data(task, first))
    kept = db.session.scalars(select(InspectionDraft.user_id).where(
        InspectionDraft.inspection_id == task.inspection_id)).all()
    assert kept == [second.id]  # the countersigning officer's draft stays until they sign
    countersign = _task(inspecting, inspection_id=task.inspection_id)
    tasks.complete(second, countersign.id, _data(countersign, second))
    assert db.session.scalar(select(func.count()).select_from(InspectionDraft).where(
        InspectionDraft.inspection_id == task.inspection_id)) == 0
