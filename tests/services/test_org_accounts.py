"""Account lifecycle: users create (CLI), disable → tasks back to the pool, 代办, certificates in the draw.
Production refusals run on PostgreSQL in tests/e2e/test_new_bureau.py."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import AuditRecord, HumanTask, Inspection, InspectionOfficer, User
from services import auth
from services.draw import stage as draw
from services.errors import Forbidden, ValidationFailed
from services.org import accounts, delegations
from services.workflow import clock, tasks
from tests.conftest import login
from tests.e2e.journey import submit, user_client
from tests.services.draw_support import campaign_ready, department, officials, user


def _initiation_task(campaign) -> HumanTask:
    return db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign.id,
                                                      HumanTask.form_key == "initiation")).one()


def test_users_create_from_the_console(app):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["users", "create", "chief", "--role", "admin", "--password-stdin"], input="Guanli2026x\n")
    assert made.exit_code == 0 and "已创建账号 chief（系统管理员，全平台）" in made.output
    scoped = runner.invoke(args=["users", "create", "wx_sup", "--role", "supervisor", "--region", "421100",
                                 "--password-stdin"], input="Jianguan2026y\n")
    assert scoped.exit_code == 0 and "黄冈市" in scoped.output
    official = runner.invoke(args=["users", "create", "qc_new", "--role", "official", "--department",
                                   "蕲春县消防救援大队", "--password-stdin"], input="Xiaofang2026z\n")
    assert official.exit_code == 0, official.output
    for args, text, password in ((["weak", "--role", "admin"], "密码", "abc\n"),
                                 (["demo", "--role", "admin"], "不能使用演示密码", "demo12345\n"),
                                 (["who", "--role", "boss"], "角色应为", "Guanli2026x\n"),
                                 (["far", "--role", "supervisor", "--region", "999999"], "区划代码 999999 不存在",
                                  "Guanli2026x\n"),
                                 (["chief", "--role", "admin"], "已存在", "Guanli2026x\n")):
        refused = runner.invoke(args=["users", "create", *args, "--password-stdin"], input=password)
        assert refused.exit_code != 0 and text in refused.output, (args, refused.output)
    with app.app_context():
        chief = db.session.scalars(select(User).where(User.username == "chief")).one()
        assert chief.region_id is None and chief.role_names == ["admin"]
        assert db.session.scalar(select(User.region_id).where(User.username == "qc_new")) == department("xf").region_id
        assert db.session.scalar(select(func.count()).where(User.username.in_(["weak", "demo", "who", "far"]))) == 0
        assert db.session.scalar(select(func.count()).where(AuditRecord.action == "org.account_create")) == 3
    assert login(app.test_client(), "chief", "Guanli2026x")


def test_disable_returns_claimed_work_to_the_pool_audited_and_ends_the_session(app):
    browser = app.test_client()
    login(browser, "scjg_01")
    assert browser.get("/inbox/").status_code == 200
    with app.app_context():
        campaign = campaign_ready()
        task_id = _initiation_task(campaign).id
        tasks.claim(user("scjg_01"), task_id)
        assert task_id not in [t.id for t in tasks.inbox(user("scjg_02"))["pool"]]
        result = app.test_cli_runner().invoke(args=["users", "disable", "scjg_01"])
        assert result.exit_code == 0 and "未办结任务 1 件已退回部门任务池" in result.output
        db.session.expire_all()
        task = db.session.get(HumanTask, task_id)
        assert task.claimed_by_id is None and task.status == "open"
        assert task_id in [t.id for t in tasks.inbox(user("scjg_02"))["pool"]]
        record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "org.account_disable")).one()
        assert record.detail["tasks"] == [task_id] and record.object_id == user("scjg_01").id
        assert db.session.scalar(select(func.count()).where(AuditRecord.action == "task.release",
                                                             AuditRecord.object_id == task_id)) == 1
        # past work keeps the name: the claim is still scjg_01's, the account row stays with its name
        claim = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "task.claim",
                                                             AuditRecord.object_id == task_id)).one()
        assert claim.actor_id == user("scjg_01").id and user("scjg_01").display_name
        assert auth.authenticate("scjg_01", "demo12345") is None
    response = browser.get("/inbox/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_disable_hands_open_tasks_to_a_named_colleague(app):
    with app.app_context():
        campaign = campaign_ready()
        task_id = _initiation_task(campaign).id
        tasks.claim(user("scjg_03"), task_id)
        with pytest.raises(ValidationFailed):  # a colleague of another department
            accounts.disable_account(user("admin"), user("scjg_03").id, reassign_to="wjw_01")
        db.session.rollback()
        assert user("scjg_03").active
        accounts.disable_account(user("admin"), user("scjg_03").id, reassign_to="scjg_04")
        assert db.session.get(HumanTask, task_id).claimed_by_id == user("scjg_04").id
        with pytest.raises(Forbidden):  # 太湖's admin? none: a 太湖 supervisor is not an admin at all
            accounts.disable_account(user("th_supervisor"), user("scjg_04").id)


def test_delegation_lets_a_colleague_complete_recorded_as_dai_ban(app):
    with app.app_context():
        campaign = campaign_ready()
        campaign_id, task = campaign.id, _initiation_task(campaign)
        task_id = task.id
        tasks.claim(user("scjg_01"), task_id)
        assert not tasks.can_act(user("scjg_02"), task)  # claimed by a colleague: not theirs, before 代办
        with pytest.raises(ValidationFailed):  # only a colleague of the same department
            delegations.delegate(user("scjg_01"), user("scjg_01").id, "wjw_01", clock.today(), clock.today())
        with pytest.raises(ValidationFailed):
            delegations.delegate(user("scjg_01"), user("scjg_01").id, "scjg_02", clock.today(),
                                 clock.today() - timedelta(days=1))
        delegations.delegate(user("scjg_01"), user("scjg_01").id, "scjg_02", clock.today(),
                             clock.today() + timedelta(days=3))
        assert task_id in [t.id for t in tasks.inbox(user("scjg_02"))["mine"]]
        partners = [department("wjw").id]
        matters = [m.id for m in campaign.matters]
    colleague = user_client(app, "scjg_02")
    submit(colleague, task_id, [("partner_department_ids", str(p)) for p in partners]
           + [("matter_ids", str(m)) for m in matters])
    with app.app_context():
        done = db.session.get(HumanTask, task_id)
        assert done.status == "completed"
        assert (done.completed_by.username, done.on_behalf_of.username) == ("scjg_02", "scjg_01")
        record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "task.complete",
                                                              AuditRecord.object_id == task_id)).one()
        assert record.actor_id == done.completed_by_id and record.detail["on_behalf_of"] == done.on_behalf_of_id
        expected = f"{done.completed_by.display_name} 代 {done.on_behalf_of.display_name}"
    supervisor = user_client(app, "supervisor")
    assert expected in supervisor.get(f"/campaigns/{campaign_id}").get_data(as_text=True)


def test_expired_or_suspended_certificates_are_never_drawn_and_counted(app):
    with app.app_context():
        campaign = campaign_ready(partners=("wjw",))
        people = officials("wjw")
        expired, suspended = people[0], people[1]
        expired.cert_valid_until = clock.today() - timedelta(days=1)
        suspended.cert_suspended = True
        db.session.commit()
        record = draw.perform(campaign, None)
        db.session.commit()
        campaign_id = campaign.id
        assert record.report["officers_excluded_certificate"] == 2
        drawn = set(db.session.scalars(select(InspectionOfficer.user_id).join(Inspection).where(
            Inspection.campaign_id == campaign.id)))
        assert drawn and expired.id not in drawn and suspended.id not in drawn
    page = user_client(app, "scjg_01").get(f"/draws/campaign/{campaign_id}").get_data(as_text=True)
    assert "执法证过期或暂停的执法人员未参与抽取：2 人" in page


def test_production_check_refuses_demo_accounts_with_the_demo_password(app):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["org", "check-production"])
    assert refused.exit_code == 1 and "账号 admin 仍使用演示密码" in refused.output
    with app.app_context():
        for username in accounts.DEMO_ACCOUNTS:
            account = db.session.scalars(select(User).where(User.username == username)).one()
            account.active = False
        db.session.commit()
    ok = runner.invoke(args=["org", "check-production"])
    assert ok.exit_code == 0 and "未发现演示数据或演示密码" in ok.output
