"""SLA escalations: scheduled with the deadline, fired once to the supervisor and the department, cancelled in time."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from extensions import db
from models import AuditRecord, Campaign, Department, HumanTask, Industry, Notification, Timer, User
from services.workflow import calendar
from services.stages import initiation as campaigns
from services.workflow import clock
from services.workflow import escalations
from services.workflow import timers
from tests.factories import initiate, report_in, scope


def open_campaign() -> Campaign:
    supervisor = db.session.scalars(select(User).where(User.username == "supervisor")).one()
    industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
    lead = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
    campaign = campaigns.open_campaign(supervisor, kind="plan", industry=industry, lead=lead,
                                       ratios=current_app.config["DEFAULT_RATIOS"],
                                       matters=[m for m in industry.matters if m.department_id == lead.id])
    db.session.commit()
    return campaign


def _timers(kind: str) -> list[Timer]:
    return list(db.session.scalars(select(Timer).where(Timer.kind == kind).order_by(Timer.id)))


def test_task_and_stage_deadlines_escalate_once(app):
    with app.app_context():
        campaign = open_campaign()
        task = db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign.id)).one()
        [task_timer] = _timers(escalations.TASK_KIND)
        [stage_timer] = _timers(escalations.STAGE_KIND)
        assert (task_timer.task_id, task_timer.due_at, task_timer.status) == (task.id, task.due_at, "pending")
        stage = campaign.stages[-1]
        assert stage.stage == "initiation" and stage_timer.subject_id == stage.id
        assert stage_timer.due_at == calendar.working_deadline(stage.entered_at, 5)
        assert stage_timer.due_at.hour == 15 and stage_timer.due_at.minute == 59  # 23:59 Beijing time

        assert timers.fire_due(task.due_at - timedelta(seconds=1)) == 0  # not early
        assert timers.run_until(max(task.due_at, stage_timer.due_at) + timedelta(minutes=1)) == 2
        assert timers.run_until(clock.now() + timedelta(days=30)) == 0  # and never again
        notes = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        supervisor = db.session.scalars(select(User).where(User.username == "supervisor")).one()
        city = db.session.scalars(select(User).where(User.username == "hg_supervisor")).one()  # 黄冈市, above 蕲春
        assert sorted((n.kind, n.user_id or 0, n.department_id or 0) for n in notes) == sorted([
            ("sla.task", supervisor.id, 0), ("sla.task", city.id, 0), ("sla.task", 0, campaign.lead_department_id),
            ("sla.stage", supervisor.id, 0), ("sla.stage", city.id, 0), ("sla.stage", 0, campaign.lead_department_id)])
        assert all(n.campaign_id == campaign.id for n in notes)
        assert any("发起与报到" in n.message and "5 个工作日" in n.message for n in notes)
        actions = db.session.scalars(select(AuditRecord.action).where(AuditRecord.action.like("sla.%"))).all()
        assert sorted(actions) == ["sla.stage_overdue", "sla.task_overdue"]


def test_work_done_in_time_cancels_its_escalation(app):
    with app.app_context():
        campaign_id = open_campaign().id
        task = db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign_id)).one()
        task_id, due = task.id, task.due_at
    initiate(app, scope(app, 4), campaign_id)  # the lead department completes initiation in time
    with app.app_context():
        assert db.session.scalars(select(Timer.status).where(Timer.task_id == task_id)).one() == "cancelled"
        partner_tasks = db.session.scalars(select(HumanTask).where(
            HumanTask.campaign_id == campaign_id, HumanTask.status == "open")).all()
        partner_ids = {t.id for t in partner_tasks}
        assert len(partner_tasks) == 3  # each report-in task has its own escalation timer
        assert sorted(t.task_id for t in _timers(escalations.TASK_KIND) if t.status == "pending") == sorted(
            t.id for t in partner_tasks)
        [stage_timer] = _timers(escalations.STAGE_KIND)
        assert stage_timer.status == "pending"  # still in initiation until the partners report in
    report_in(app, scope(app, 4), campaign_id)
    with app.app_context():
        stage_timers = _timers(escalations.STAGE_KIND)
        assert stage_timers[0].status == "cancelled"  # initiation left: its SLA timer is cancelled
        assert all(t.status == "cancelled" for t in _timers(escalations.TASK_KIND) if t.task_id in partner_ids)
        timers.run_until(due + timedelta(minutes=1))
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == escalations.TASK_KIND)) == 0


def test_backfill_schedules_what_an_older_database_lacks(app):
    from services.workflow import event_timers
    with app.app_context():
        open_campaign()
        db.session.query(Timer).delete()
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["timers", "backfill"])
    assert result.exit_code == 0 and "checked 1 running instance" in result.output
    with app.app_context():
        assert sorted(t.kind for t in db.session.scalars(select(Timer))) == [escalations.STAGE_KIND,
                                                                             escalations.TASK_KIND]
        assert event_timers.backfill() == 1  # idempotent
        assert db.session.scalar(select(func.count()).select_from(Timer)) == 2
