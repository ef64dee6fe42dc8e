"""The countersign (second signature): what the second officer corrects is what the item rows, the first
revision and the audit trail keep; a countersign that changes nothing is recorded as unchanged."""
import pytest
from sqlalchemy import select

from extensions import db
from models import AuditRecord, HumanTask, Inspection, ItemResult, User
from services.workflow import clock
from services.workflow import tasks
from tests import factories


@pytest.fixture
def inspecting(app):
    campaign_id, _ = factories.campaign_at(app, "drawn", enterprises=2)
    with app.app_context():
        yield campaign_id


def _open(campaign_id: int, inspection_id: int | None = None) -> HumanTask:
    stmt = select(HumanTask).where(HumanTask.campaign_id == campaign_id, HumanTask.form_key == "joint_inspection",
                                   HumanTask.status == "open")
    if inspection_id is not None:
        stmt = stmt.where(HumanTask.inspection_id == inspection_id)
    return db.session.scalars(stmt.order_by(HumanTask.id)).first()


def _data(task: HumanTask, user: User, failed_note: str | None = None) -> dict:
    """All items passed; with `failed_note`, the first one failed with that note (a problem found)."""
    rows = tasks.task_form(user, task.id).context.rows["checklist_items"]
    items = [{"key": r.key, "result": "pass", "note": None} for r in rows]
    if failed_note:
        items[0] = {"key": rows[0].key, "result": "fail", "note": failed_note}
    return {"items": items, "result_code": "02" if failed_note else "01", "problem_domain": "04" if failed_note else None,
            "method": "实地检查", "inspected_on": clock.today().isoformat(), "summary": "内部记录"}


def _sign_twice(campaign_id: int, second_note: str | None) -> tuple[Inspection, int]:
    task = _open(campaign_id)
    first, second = (db.session.get(User, c.user_id) for c in task.candidates[:2])
    tasks.complete(first, task.id, _data(task, first))
    countersign = _open(campaign_id, task.inspection_id)
    tasks.complete(second, countersign.id, _data(countersign, second, second_note))
    return db.session.get(Inspection, task.inspection_id), first.id


def test_a_corrected_item_is_kept_in_its_row_the_revision_and_the_audit_trail(inspecting):
    inspection, _ = _sign_twice(inspecting, "消防通道堵塞")
    corrected = db.session.scalars(select(ItemResult).where(ItemResult.inspection_id == inspection.id,
                                                            ItemResult.result == "fail")).all()
    assert [(r.result, r.note) for r in corrected] == [("fail", "消防通道堵塞")]
    assert inspection.status == "submitted" and inspection.result_code == "02"
    [revision] = inspection.revisions
    assert revision.data["result_code"] == "02"
    assert [i for i in revision.data["items"] if i["result"] == "fail"] == [
        {"key": corrected[0].checklist_item_id, "result": "fail", "note": "消防通道堵塞"}]
    assert [s.changed for s in inspection.signoffs] == [False, True]
    signed = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "inspection.sign",
                                                          AuditRecord.object_id == inspection.id)
                                .order_by(AuditRecord.seq)).all()
    assert signed[1].detail["corrected_before_signing"] is True
    assert signed[1].detail["previous"]["result_code"] == "01"
    assert all(i["result"] == "pass" for i in signed[1].detail["previous"]["items"])


def test_a_countersign_that_changes_nothing_is_recorded_as_unchanged(inspecting):
    inspection, first_id = _sign_twice(inspecting, None)
    assert [s.changed for s in inspection.signoffs] == [False, False]
    assert {s.user_id for s in inspection.signoffs} >= {first_id}
    [revision] = inspection.revisions
    assert revision.data["result_code"] == "01" and all(i["result"] == "pass" for i in revision.data["items"])
    assert db.session.scalars(select(ItemResult.result).where(ItemResult.inspection_id == inspection.id)).all() \
        == ["pass"] * len(revision.data["items"])
