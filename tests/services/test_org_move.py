"""调岗: moving an official to another department (or region) never strands their open work."""
import pytest
from sqlalchemy import select

from extensions import db
from models import AuditRecord, Delegation, HumanTask
from services.errors import ValidationFailed
from services.org import accounts, delegations
from services.workflow import clock, tasks
from tests.services.draw_support import campaign_ready, department, user


def _initiation_task(campaign) -> HumanTask:
    return db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign.id,
                                                      HumanTask.form_key == "initiation")).one()


def test_move_with_open_work_is_refused_listing_the_tasks_and_nothing_changes(app):
    with app.app_context():
        campaign = campaign_ready()
        task = _initiation_task(campaign)
        tasks.claim(user("scjg_03"), task.id)
        with pytest.raises(ValidationFailed) as refused:
            accounts.move_account(user("admin"), user("scjg_03").id, department="wjw")
        db.session.rollback()
        message = refused.value.errors["reassign_to"][0]
        assert message.startswith("尚有未办结任务，请指定原部门的接手人后再调动：")
        assert task.title in message and campaign.title in message
        assert "尚有 1 件未办结任务，未调动" in refused.value.message
        assert user("scjg_03").department_id == department("scjg").id
        assert db.session.get(HumanTask, task.id).claimed_by_id == user("scjg_03").id
        assert db.session.scalar(select(AuditRecord.id).where(AuditRecord.action == "org.account_move")) is None


def test_move_hands_open_work_to_a_colleague_of_the_old_department_audited(app):
    with app.app_context():
        campaign = campaign_ready()
        task_id = _initiation_task(campaign).id
        tasks.claim(user("scjg_03"), task_id)
        today = clock.today()
        delegations.delegate(user("scjg_03"), user("scjg_03").id, "scjg_05", today, today)
        with pytest.raises(ValidationFailed) as wrong:  # the colleague must be of the old department
            accounts.move_account(user("admin"), user("scjg_03").id, department="wjw", reassign_to="wjw_01")
        db.session.rollback()
        assert "原部门" in wrong.value.errors["reassign_to"][0]
        result = accounts.move_account(user("admin"), user("scjg_03").id, department="蕲春县卫生健康委员会",
                                       reassign_to="scjg_04")
        assert result["tasks"] == [task_id] and result["reassigned_to"].username == "scjg_04"
        db.session.expire_all()
        assert user("scjg_03").department_id == department("wjw").id
        assert db.session.get(HumanTask, task_id).claimed_by_id == user("scjg_04").id
        assert db.session.scalars(select(Delegation)).one().revoked_at is not None
        record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "org.account_move")).one()
        assert record.detail["tasks"] == [task_id] and record.detail["reassigned_to"] == "scjg_04"
        assert record.detail["before"]["department"] == "蕲春县市场监督管理局"
        assert record.detail["after"]["department"] == "蕲春县卫生健康委员会"


def test_move_without_open_work_and_across_regions_within_scope_only(app):
    with app.app_context():
        with pytest.raises(ValidationFailed) as outside:  # 蕲春's admin cannot place anyone in 太湖
            accounts.move_account(user("admin"), user("scjg_06").id, department="th_scjg")
        db.session.rollback()
        assert "不在您的管辖区划内" in outside.value.errors["department"][0]
        with pytest.raises(ValidationFailed):
            accounts.move_account(user("admin"), user("scjg_06").id, department="scjg")
        db.session.rollback()
        accounts.move_account(None, user("scjg_06").id, department="th_scjg")  # the console (platform-wide)
        moved = user("scjg_06")
        assert moved.department.code == "th_scjg" and moved.region.code == "340825"
