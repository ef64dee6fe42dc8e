"""Objections (异议): the enterprise objects during the publication window, the lead department corrects the
result and answers, /public/ shows 已更正, the enterprise reads the answer; and the bad inputs."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import Enterprise, HumanTask, Inspection, ItemResult, Objection, OutboxMessage, Timer, User
from services.errors import ValidationFailed
from services.portal import outbox
from services.stages import corrections, inspections
from services.workflow import clock, escalations, tasks
from tests import factories
from tests.conftest import csrf_token
from tests.web.test_portal import _login


@pytest.fixture
def published(app):
    campaign_id, _ = factories.campaign_at(app, "published", enterprises=2)
    with app.app_context():
        found = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id,
                                                            Inspection.result_code == "02")).first()
        items = list(db.session.scalars(select(ItemResult.checklist_item_id).where(
            ItemResult.inspection_id == found.id).order_by(ItemResult.id)))
        return found.id, found.enterprise_id, items


def _object(client, inspection_id: int, item_ids: list[int], reason: str):
    token = csrf_token(client, f"/enterprise/inspections/{inspection_id}")
    return client.post(f"/enterprise/inspections/{inspection_id}/objection",
                       data={"csrf_token": token, "item_ids": [str(i) for i in item_ids], "reason": reason})


def test_objection_corrected_by_the_lead_department_shows_on_public(app, published):
    inspection_id, enterprise_id, items = published
    client = app.test_client()
    _login(app, client, enterprise_id)
    page = client.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert "提出异议" in page
    assert _object(client, inspection_id, items[:1], "该项已在检查当日现场整改，提供照片").status_code == 302
    page = client.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert "待答复" in page and "提出异议" not in page  # one open objection at a time
    with app.app_context():
        [task] = db.session.scalars(select(HumanTask).where(HumanTask.form_key == "objection_review",
                                                            HumanTask.status == "open")).all()
        lead = db.session.scalars(select(User).where(User.username == "scjg_01")).one()
        assert task.department_id == lead.department_id and task.due_at is not None
        with pytest.raises(ValidationFailed):  # "corrected" needs a correction first
            tasks.complete(lead, task.id, {"decision": "correct", "response": "已更正"})
        inspection = db.session.get(Inspection, inspection_id)
        corrections.correct(lead, inspection_id, inspections.snapshot(inspection) | {"result_code": "03"},
                            "企业异议成立：检查当日已责令改正")
        tasks.complete(lead, task.id, {"decision": "correct", "response": "经复核，结果更正为“发现问题经责令已改正”"})
        assert db.session.scalars(select(Objection.status)).one() == "corrected"
        assert outbox.deliver_pending() >= 1
        name = db.session.get(Enterprise, enterprise_id).name
        assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "objection_outcome")).one().status == "sent"
    page = client.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert "已更正检查结果" in page and "经复核" in page and "发现问题经责令已改正" in page
    public = app.test_client().get(f"/public/?q={name}").get_data(as_text=True)
    assert name in public and "已更正" in public


def test_bad_objections_are_refused_and_nothing_is_stored(app, published):
    inspection_id, enterprise_id, items = published
    client = app.test_client()
    _login(app, client, enterprise_id)
    response = _object(client, inspection_id, [999999], "理由足够长的一段话")
    assert response.status_code == 422 and "请选择本次检查的检查项" in response.get_data(as_text=True)
    response = _object(client, inspection_id, items[:1], "短")
    assert response.status_code == 422 and "请写明异议理由" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Objection)).all() == []


def test_objection_after_the_window_is_refused(app, published):
    inspection_id, enterprise_id, items = published
    client = app.test_client()
    _login(app, client, enterprise_id)
    clock.advance(timedelta(days=30))
    page = client.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert "异议期已于" in page and "提交异议" not in page
    response = _object(client, inspection_id, items[:1], "过了异议期的异议")
    assert response.status_code == 409 and "异议期已于" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Objection)).all() == []


def test_rejected_objection_has_a_deadline_that_escalates_and_answers_the_enterprise(app, published):
    inspection_id, enterprise_id, items = published
    client = app.test_client()
    _login(app, client, enterprise_id)
    _object(client, inspection_id, items[:2], "检查人员未出示证件")
    with app.app_context():
        [task] = db.session.scalars(select(HumanTask).where(HumanTask.form_key == "objection_review")).all()
        assert db.session.scalar(select(Timer.id).where(Timer.task_id == task.id, Timer.kind == escalations.TASK_KIND,
                                                        Timer.status == "pending"))  # late answers escalate
        lead = db.session.scalars(select(User).where(User.username == "scjg_01")).one()
        tasks.complete(lead, task.id, {"decision": "reject", "response": "检查人员已出示执法证，有现场记录为证"})
    page = client.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert "不予采纳" in page and "有现场记录为证" in page
