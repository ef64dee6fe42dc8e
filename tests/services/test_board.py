"""The board's figures against hand-computed values on a moved clock: stage working days, deadlines,
the department league, monthly trends, and the 督办 reminder."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain.workdays import working_days_between
from extensions import db
from models import AuditRecord, CampaignStage, Department, HumanTask, Notification, User
from services.errors import Forbidden, NotFound, ValidationFailed
from services.supervision import board, reminders, trends
from services.workflow import clock
from tests import factories


def _user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


@pytest.fixture
def late_initiation(app):
    """A campaign waiting at initiation (SLA 5 working days), the clock moved 12 days on."""
    campaign_id, _ = factories.campaign_at(app, "planned", enterprises=2)
    clock.advance(timedelta(days=12))
    with app.app_context():
        yield campaign_id


def test_stage_bar_counts_working_days_and_turns_red_past_the_deadline(late_initiation):
    entered = db.session.scalars(select(CampaignStage.entered_at).where(
        CampaignStage.campaign_id == late_initiation, CampaignStage.stage == "initiation")).one()
    expected_used = working_days_between(clock.local_date(entered), clock.today())
    [timeline] = [t for t in board.timelines(_user("supervisor")) if t.campaign_id == late_initiation]
    bars = {b.stage: b for b in timeline.stages}
    assert bars["initiation"].status == "current" and bars["initiation"].limit == 5
    assert bars["initiation"].used == expected_used > 5
    assert bars["initiation"].state == "late" and timeline.state == "late"
    assert bars["joint_inspection"].status == "pending" and bars["joint_inspection"].used is None
    due_day = clock.local_date(timeline.due_at)
    assert working_days_between(clock.local_date(entered), due_day) == 5  # the deadline that escalates
    assert timeline.days_left == -working_days_between(due_day, clock.today()) < 0


def test_a_campaign_within_its_limit_is_not_red(app):
    campaign_id, _ = factories.campaign_at(app, "planned", enterprises=2)
    with app.app_context():
        [timeline] = [t for t in board.timelines(_user("supervisor")) if t.campaign_id == campaign_id]
        current = next(b for b in timeline.stages if b.status == "current")
        assert current.used == 0 and current.state == "ok" and timeline.days_left == 5


def test_league_counts_open_and_overdue_tasks_per_department(late_initiation):
    lead = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
    open_n = db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.department_id == lead.id, HumanTask.status == "open"))
    [row] = [r for r in board.league(_user("supervisor")) if r.department_id == lead.id]
    assert row.open_tasks == open_n >= 1 and row.overdue_tasks == open_n
    assert board.league(_user("supervisor"))[0].overdue_tasks >= row.overdue_tasks  # most to chase first
    dept, tasks = board.overdue_tasks(_user("supervisor"), lead.id)
    assert dept.id == lead.id and len(tasks) == open_n and all(t.days_over > 0 for t in tasks)


def test_on_time_rate_and_trend_count_a_task_done_in_time(app):
    campaign_id, s = factories.campaign_at(app, "planned", enterprises=2)
    factories.initiate(app, s, campaign_id)  # done the same day: within its limit
    with app.app_context():
        lead = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
        [row] = [r for r in board.league(_user("supervisor")) if r.department_id == lead.id]
        assert row.month_done == row.year_done == 1 and row.month_on_time == row.year_on_time == 100.0
        figures = trends.trends(_user("supervisor"))
        on_time = next(s for s in figures.series if s.measure == "on_time")
        month = clock.today().month
        assert on_time.this_year[month - 1] == 100.0 and on_time.this_total == 100.0
        assert on_time.last_year == [None] * 12 and on_time.last_total is None


def test_reminder_notifies_the_department_admins_once_and_is_in_the_campaign_history(late_initiation):
    lead = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
    admins = db.session.scalars(select(User).where(User.department_id == lead.id, User.username.like("%admin%"))).all()
    sent = reminders.remind(_user("supervisor"), lead.id)
    notes = db.session.scalars(select(Notification).where(Notification.kind == reminders.KIND)).all()
    assert sent.overdue_tasks >= 1 and len(notes) == sent.recipients == max(len(admins), 1)
    assert all("超过办理时限" in n.message and lead.name in n.message for n in notes)
    audit = db.session.scalars(select(AuditRecord).where(AuditRecord.action == reminders.KIND)).all()
    assert [a.campaign_id for a in audit] == [late_initiation]


def test_screen_account_sees_the_board_but_cannot_remind_and_officials_see_nothing(late_initiation):
    lead = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
    assert board.timelines(_user("screen"))
    with pytest.raises(Forbidden):
        reminders.remind(_user("screen"), lead.id)
    with pytest.raises(Forbidden):
        board.timelines(_user("scjg_01"))
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == reminders.KIND)) == 0


def test_no_reminder_without_overdue_tasks(app):
    with app.app_context():
        supervisor = _user("supervisor")  # a department of the supervisor's own county, with nothing overdue
        lead = db.session.scalars(select(Department).where(Department.region_id == supervisor.region_id,
                                                           Department.code != "scjg").order_by(Department.id)).first()
        with pytest.raises(ValidationFailed):
            reminders.remind(_user("supervisor"), lead.id)


def test_board_is_scoped_to_the_supervisors_region(late_initiation):
    """蕲春's campaign shows on 蕲春's board and its city's roll-up, never on 太湖's; 太湖 cannot remind 蕲春."""
    assert [t for t in board.timelines(_user("hg_supervisor")) if t.campaign_id == late_initiation]
    assert not [t for t in board.timelines(_user("th_supervisor")) if t.campaign_id == late_initiation]
    lead = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
    assert lead.id not in {r.department_id for r in board.league(_user("th_supervisor"))}
    with pytest.raises(NotFound):
        reminders.remind(_user("th_supervisor"), lead.id)
    with pytest.raises(NotFound):
        board.overdue_tasks(_user("th_supervisor"), lead.id)
