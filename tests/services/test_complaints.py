"""Complaints (投诉举报): registration with files, the three triage outcomes, the reply, and escalation."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import Campaign, Complaint, Enterprise, Inspection, Notification, Timer, User
from services.complaints import register as complaints
from services.complaints import triage
from services.errors import ValidationFailed
from services.stages.evidence import Upload
from services.workflow import clock, timers
from tests import factories
from tests.factories import user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _data(app, **extra) -> dict:
    s = factories.scope(app, 4)
    with app.app_context():
        enterprise = db.session.scalars(select(Enterprise).where(
            Enterprise.industry_id == s["industry_id"], Enterprise.status == "存续").order_by(Enterprise.id)).first()
        return {"source": "hotline", "uscc": enterprise.uscc, "department_id": s["lead_id"],
                "content": "消费者反映该店销售过期食品", "complainant": "张三", "contact": "13800000000", **extra}


def _register(app, data: dict, files=()) -> int:
    with app.app_context():
        return complaints.register(user("scjg_01"), data, list(files)).id


def test_a_refused_attachment_stores_nothing(app):
    data = _data(app)
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            complaints.register(user("scjg_01"), data, [Upload(None, "说明.txt", io.BytesIO(b"plain text"))])
        assert "不是允许的类型" in refused.value.errors["evidence"][0]
        assert db.session.scalar(select(db.func.count()).select_from(Complaint)) == 0


def test_registration_without_content_is_refused_in_chinese(app):
    data = _data(app, content="  ", source="nowhere")
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            complaints.register(user("scjg_01"), data)
        assert refused.value.errors["content"] == ["请填写投诉举报内容"]
        assert refused.value.errors["source"] == ["请选择投诉举报来源"]


def test_a_targeted_inspection_is_non_random_and_its_officers_inspect_it(app):
    complaint_id = _register(app, _data(app), [Upload(None, "照片.png", io.BytesIO(PNG))])
    with app.app_context():
        lead = user("scjg_01")
        officers = [u.id for u in triage.officers_of(lead.department_id)][:2]
        with pytest.raises(ValidationFailed):
            triage.triage(lead, complaint_id, {"decision": "targeted", "reason": "线索具体", "officer_ids": officers[:1]})
        complaint = triage.triage(lead, complaint_id, {"decision": "targeted", "reason": "线索具体",
                                                       "officer_ids": officers})
        inspection = complaint.inspection
        assert inspection.selection == "targeted" and complaint.status == "targeted"
        assert inspection.campaign.kind == "complaint" and len(complaint.attachments) == 1
        campaign_id = inspection.campaign_id
        assert db.session.scalar(select(Timer.status).where(Timer.kind == complaints.OVERDUE_KIND)) == "cancelled"
    [task] = factories.open_tasks(app, campaign_id, "joint_inspection")
    factories.sign_off(app, campaign_id, task)
    with app.app_context():  # inspected: its result now waits for publication, like any campaign's
        assert db.session.get(Campaign, campaign_id).stage == "publication"
        assert db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).one().status == "submitted"
        triage.record_reply(user("scjg_01"), complaint_id, "经现场检查，未发现过期食品")
        assert db.session.get(Complaint, complaint_id).reply == "经现场检查，未发现过期食品"


def test_a_referral_goes_to_the_other_department_which_records_the_reply(app):
    data = _data(app)
    s = factories.scope(app, 4)
    partner = s["partners"][0]
    complaint_id = _register(app, data)
    with app.app_context():
        triage.triage(user("scjg_01"), complaint_id, {"decision": "referred", "reason": "属卫生监管事项",
                                                     "referred_to_id": partner})
        assert db.session.scalar(select(Notification.id).where(Notification.department_id == partner,
                                                               Notification.kind == "complaint_referred"))
        triage.record_reply(user(s["partner_users"][partner]), complaint_id, "已受理")
        complaint = db.session.get(Complaint, complaint_id)
        assert (complaint.status, complaint.referred_to_id, complaint.reply) == ("referred", partner, "已受理")


def test_closing_needs_a_reason(app):
    complaint_id = _register(app, _data(app))
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            triage.triage(user("scjg_01"), complaint_id, {"decision": "closed", "reason": ""})
        assert refused.value.errors == {"reason": ["请填写分办理由"]}
        triage.triage(user("scjg_01"), complaint_id, {"decision": "closed", "reason": "举报内容与该企业无关"})
        assert db.session.get(Complaint, complaint_id).status == "closed"


def test_an_untriaged_complaint_escalates_after_the_working_days(app):
    complaint_id = _register(app, _data(app))
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        due = complaint.triage_due
        assert due > clock.today()
        timers.run_until(clock.end_of_day(due) - timedelta(minutes=1))
        assert db.session.get(Complaint, complaint_id).escalated_at is None
        timers.run_until(clock.end_of_day(due) + timedelta(minutes=1))
        assert db.session.get(Complaint, complaint_id).escalated_at is not None
        supervisor = user("supervisor")
        assert db.session.scalar(select(Notification.message).where(
            Notification.user_id == supervisor.id, Notification.kind == complaints.OVERDUE_KIND)).startswith("投诉举报 TS-")


def test_the_complaints_matters_are_the_targeted_inspections_matters(app):
    s = factories.scope(app, 4)
    [matter_id, *_] = s["matters"]
    complaint_id = _register(app, _data(app, matter_ids=[str(matter_id)]))
    with app.app_context():
        lead = user("scjg_01")
        officers = [u.id for u in triage.officers_of(lead.department_id)][:2]
        complaint = triage.triage(lead, complaint_id, {"decision": "targeted", "reason": "线索具体",
                                                       "officer_ids": officers})
        assert [m.id for m in complaint.inspection.campaign.matters] == [matter_id]
