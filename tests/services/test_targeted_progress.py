"""A complaint's targeted inspection stays open while its work goes on: its campaign process ends at publication,
but the campaign shows the handling decision (分类处置), then the follow-up (后续监管) while the rectification,
its reinspection or a transfer is open, and closes (已闭环, completed) only when the handling is decided and the
enterprise case has ended — on the campaign page, the campaign list, the dashboard and the complaint page alike.
Campaigns an earlier release closed at publication are set where they stand by `flask campaign sync-targeted-stages`."""
from sqlalchemy import delete, select

from extensions import db
from models import AuditRecord, Campaign, CampaignStage, Notification, Timer, Transfer, WorkflowInstance
from services import audit
from services.stages import follow_up
from services.supervision import dashboard
from services.workflow import escalations
from tests import factories
from tests.e2e.journey import user_client
from tests.factories import user
from tests.services.test_targeted_handling import _published, _row


def _state(app, campaign_id: int) -> tuple[str, str, bool]:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        return campaign.stage, campaign.status, campaign.completed_at is not None


def _history(app, campaign_id: int) -> list[tuple[str, bool]]:
    """The campaign's stage rows in order: (stage, left); each row entered, all but the running one left."""
    with app.app_context():
        rows = db.session.scalars(select(CampaignStage).where(CampaignStage.campaign_id == campaign_id)
                                  .order_by(CampaignStage.id)).all()
        assert all(r.left_at is None or r.left_at >= r.entered_at for r in rows)
        assert all(a.left_at is not None and a.left_at <= b.entered_at for a, b in zip(rows, rows[1:]))
        return [(r.stage, r.left_at is not None) for r in rows]


def _pending_stage_timers(app, campaign_id: int) -> list[str]:
    """The stages with a pending SLA timer: exactly the running one while the campaign is active."""
    with app.app_context():
        return sorted(db.session.scalars(select(CampaignStage.stage).join(
            Timer, (Timer.subject_id == CampaignStage.id) & (Timer.subject_type == escalations.STAGE_SUBJECT))
            .where(CampaignStage.campaign_id == campaign_id, Timer.kind == escalations.STAGE_KIND,
                   Timer.status == "pending")))


def _pages(app, complaint_id: int, campaign_id: int) -> tuple[str, str, str]:
    client = user_client(app, "scjg_01")
    return (client.get(f"/campaigns/{campaign_id}").get_data(as_text=True),
            client.get("/campaigns/").get_data(as_text=True),
            client.get(f"/complaints/{complaint_id}").get_data(as_text=True))


def _current_step(page: str) -> str:
    return page.split('aria-current="step">', 1)[1].split("<", 1)[0]


def test_published_it_waits_for_the_handling_then_follows_the_rectification_and_closes(app):
    complaint_id, campaign_id, inspection_id = _published(app)
    assert _state(app, campaign_id) == ("diagnosis", "active", False)
    assert _history(app, campaign_id) == [("joint_inspection", True), ("publication", True), ("diagnosis", False)]
    assert _pending_stage_timers(app, campaign_id) == ["diagnosis"]
    campaign_page, listing, complaint_page = _pages(app, complaint_id, campaign_id)
    assert _current_step(campaign_page) == "分类处置" and "状态：进行中" in campaign_page
    steps = campaign_page.split('<ol class="stages">', 1)[1].split("</ol>", 1)[0]
    assert "会诊" not in steps and "双随机抽取" not in steps and "绩效考核" not in steps  # none of these for it
    assert "<td>分类处置</td><td>进行中</td>" in listing
    assert "办理进度" in complaint_page and ">分类处置<" in complaint_page and "已闭环" not in complaint_page
    english = user_client(app, "scjg_01").get(f"/complaints/{complaint_id}", headers={"Accept-Language": "en"})
    assert "Progress" in english.get_data(as_text=True) and "Handling decision" in english.get_data(as_text=True)
    with app.app_context():  # the supervisor's dashboard lists it as live, at its handling decision
        [row] = [r for r in dashboard.live_campaigns(user("supervisor"), dashboard.Filters()).rows
                 if r.campaign_id == campaign_id]
        assert (row.stage, row.kind, row.sla_days) == ("diagnosis", "complaint", 10)
        code = db.session.get(Campaign, campaign_id).code
    supervisor = user_client(app, "supervisor")
    board = supervisor.get("/dashboard/").get_data(as_text=True).split(code, 1)[1].split("</tr>", 1)[0]
    assert ">分类处置</td>" in board
    assert code in supervisor.get("/board/").get_data(as_text=True)  # among the live campaigns' timelines

    [task] = factories.open_tasks(app, campaign_id, "targeted_handling")
    lead = user_client(app, "scjg_01")
    assert "阶段：分类处置" in lead.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert ">分类处置</td>" in lead.get("/inbox/").get_data(as_text=True)  # the task's stage, in its kind's words
    row = _row(app, task["id"], handling="rectify", deadline_days=10, reinspect=True)
    row["note"] = None if row["handling"] == _row(app, task["id"])["handling"] else "投诉属实，责令限期整改"
    factories.complete(app, "scjg_01", task["id"], {"handling": [row]})
    assert _state(app, campaign_id) == ("follow_up", "active", False)
    assert _history(app, campaign_id)[-2:] == [("diagnosis", True), ("follow_up", False)]
    assert _pending_stage_timers(app, campaign_id) == ["follow_up"]
    campaign_page, listing, complaint_page = _pages(app, complaint_id, campaign_id)
    assert _current_step(campaign_page) == "后续监管" and "<td>后续监管</td><td>进行中</td>" in listing
    assert ">后续监管<" in complaint_page and "责令整改" in complaint_page

    [rectification] = factories.open_tasks(app, campaign_id, "rectification")
    factories.complete(app, rectification["candidates"][0], rectification["id"],
                       {"rectified": "yes", "rectification": "已下架过期食品并建立台账"})
    assert _state(app, campaign_id) == ("follow_up", "active", False)  # its reinspection is still to come
    [reinspection] = factories.open_tasks(app, campaign_id, "reinspection")
    factories.complete(app, reinspection["candidates"][0], reinspection["id"],
                       {"confirmed": "yes", "finding": "复查确认已整改到位"})
    assert _state(app, campaign_id) == ("closed", "completed", True)
    assert _history(app, campaign_id) == [("joint_inspection", True), ("publication", True), ("diagnosis", True),
                                          ("follow_up", True)]
    assert _pending_stage_timers(app, campaign_id) == []
    campaign_page, listing, complaint_page = _pages(app, complaint_id, campaign_id)
    assert _current_step(campaign_page) == "已闭环" and "状态：已完成" in campaign_page
    assert "<td>已闭环</td><td>已完成</td>" in listing and ">已闭环（" in complaint_page
    assert "检查活动进入“分类处置”阶段" in campaign_page and "检查活动已闭环：处置已决定，后续监管已办结" in campaign_page
    with app.app_context():
        assert db.session.scalars(select(WorkflowInstance.status).where(
            WorkflowInstance.inspection_id == inspection_id)).one() == "completed"
        actions = db.session.scalars(select(AuditRecord.action).where(
            AuditRecord.object_type == "campaign", AuditRecord.object_id == campaign_id,
            AuditRecord.action.in_(["campaign.stage", "campaign.close"])).order_by(AuditRecord.id)).all()
        assert actions == ["campaign.stage", "campaign.stage", "campaign.close"]
        assert audit.verify().ok
        assert campaign_id not in [r.campaign_id for r in
                                   dashboard.live_campaigns(user("supervisor"), dashboard.Filters()).rows]


def test_the_inbox_stage_filter_names_the_handling_as_each_kind_of_task_says_it(app):
    """A lead with a complaint's handling (分类处置) and an ordinary campaign's diagnosis (会诊处置) open: both are
    stage "diagnosis", and the filter's choice names both, in zh-CN and in English; with the handling alone, it
    reads 分类处置."""
    _published(app)
    option = '<option value="diagnosis" >'
    inbox = user_client(app, "scjg_01").get("/inbox/").get_data(as_text=True)
    assert option + "分类处置</option>" in inbox
    ordinary, _ = factories.campaign_at(app, "published")
    factories.give_opinions(app, ordinary)
    assert factories.open_tasks(app, ordinary, "diagnosis")
    lead = user_client(app, "scjg_01")
    assert option + "会诊处置 / 分类处置</option>" in lead.get("/inbox/").get_data(as_text=True)
    english = lead.get("/inbox/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert option + "Diagnosis and handling / Handling decision</option>" in english


def test_nothing_found_closes_it_once_its_case_ends(app):
    complaint_id, campaign_id, _ = _published(app, problem=False)
    assert _state(app, campaign_id) == ("closed", "completed", True)
    assert _history(app, campaign_id) == [("joint_inspection", True), ("publication", True)]
    assert _pending_stage_timers(app, campaign_id) == []
    campaign_page, _, complaint_page = _pages(app, complaint_id, campaign_id)
    assert _current_step(campaign_page) == "已闭环" and ">已闭环（" in complaint_page and "无需处置" in complaint_page


def test_a_transfer_keeps_it_in_follow_up_until_the_receipt(app):
    complaint_id, campaign_id, inspection_id = _published(app)
    [task] = factories.open_tasks(app, campaign_id, "targeted_handling")
    factories.complete(app, "scjg_01", task["id"], {"handling": [_row(
        app, task["id"], handling="transfer", note="涉嫌犯罪", authority="县公安局", authority_kind="public_security")]})
    assert _state(app, campaign_id) == ("follow_up", "active", False)  # the case ended, the receipt is awaited
    with app.app_context():
        transfer = db.session.scalars(select(Transfer).where(Transfer.inspection_id == inspection_id)).one()
        follow_up.acknowledge_transfer(user("scjg_01"), transfer.id, acknowledged_by="张警官", receipt_no="回执001")
    assert _state(app, campaign_id) == ("closed", "completed", True)
    assert _history(app, campaign_id)[-1] == ("follow_up", True)


def test_the_handling_stage_escalates_in_its_own_words_and_not_once_it_is_over(app):
    _, campaign_id, _ = _published(app)
    with app.app_context():
        stage = db.session.scalars(select(CampaignStage).where(CampaignStage.campaign_id == campaign_id,
                                                               CampaignStage.stage == "diagnosis")).one()
        timer = db.session.scalars(select(Timer).where(Timer.subject_type == escalations.STAGE_SUBJECT,
                                                       Timer.subject_id == stage.id)).one()
        escalations.stage_overdue(timer)
        notice = db.session.scalars(select(Notification).where(Notification.kind == escalations.STAGE_KIND,
                                                               Notification.campaign_id == campaign_id)).first()
        assert "「分类处置」阶段" in notice.message and "会诊" not in notice.message
        timer_id = timer.id
        db.session.commit()
    [task] = factories.open_tasks(app, campaign_id, "targeted_handling")
    factories.complete(app, "scjg_01", task["id"], {"handling": [_row(
        app, task["id"], handling="rectify", note="责令整改", deadline_days=10, reinspect=False)]})
    with app.app_context():
        assert db.session.get(Timer, timer_id).status != "pending"
        before = db.session.scalar(select(db.func.count()).select_from(Notification))
        escalations.stage_overdue(db.session.get(Timer, timer_id))  # the stage is over: nothing to say
        assert db.session.scalar(select(db.func.count()).select_from(Notification)) == before


def test_a_campaign_closed_at_publication_by_the_previous_release_is_set_where_it_stands(app):
    """What the previous release left: the process ended at publication, so the campaign was closed and completed
    while its handling task was open. The repair reopens it at its handling decision, once."""
    complaint_id, campaign_id, _ = _published(app)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        [handling_stage] = [row for row in campaign.stages if row.stage == "diagnosis"]
        db.session.execute(delete(Timer).where(Timer.subject_type == escalations.STAGE_SUBJECT,
                                               Timer.subject_id == handling_stage.id))
        campaign.stages.remove(handling_stage)
        db.session.flush()
        campaign.stage, campaign.status, campaign.completed_at = "closed", "completed", campaign.stages[-1].left_at
        db.session.commit()
    assert _state(app, campaign_id) == ("closed", "completed", True)
    result = app.test_cli_runner().invoke(args=["campaign", "sync-targeted-stages"])
    assert "已更新 1 个投诉举报定向检查的阶段" in result.output, result.output
    assert _state(app, campaign_id) == ("diagnosis", "active", False)
    assert _history(app, campaign_id) == [("joint_inspection", True), ("publication", True), ("diagnosis", False)]
    assert _pending_stage_timers(app, campaign_id) == ["diagnosis"]
    again = app.test_cli_runner().invoke(args=["campaign", "sync-targeted-stages"])
    assert "已更新 0 个" in again.output
    with app.app_context():
        assert db.session.scalars(select(AuditRecord.detail).where(
            AuditRecord.action == "campaign.stage", AuditRecord.object_id == campaign_id)
            .order_by(AuditRecord.id.desc())).first()["was"] == "closed"


def test_the_targeted_stages_on_postgresql(pg_app):
    test_published_it_waits_for_the_handling_then_follows_the_rectification_and_closes(pg_app)
