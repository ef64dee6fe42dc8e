"""Task due dates and stage SLAs follow the admin's calendar overrides, not only the packaged calendar."""
from datetime import timedelta

from sqlalchemy import select

from domain.workdays import add_working_days, is_working_day
from extensions import db
from models import HumanTask, Timer, User
from services.workflow import calendar
from services.workflow import clock
from tests.services.test_escalations import open_campaign


def _next_working_days(count: int) -> list:
    days, day = [], clock.today()
    while len(days) < count:
        day += timedelta(days=1)
        if is_working_day(day)[0]:
            days.append(day)
    return days


def test_an_extra_holiday_moves_the_initiation_due_date(app):
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.username == "admin")).one()
        packaged = add_working_days(clock.today(), 5).due
        # The county declares two of the next working days holidays (e.g. a local disaster closure).
        for day in _next_working_days(2):
            calendar.set_override(admin, day, False, "临时停工")
        expected = calendar.deadline(clock.today(), 5).due
        assert expected > packaged
        campaign = open_campaign()
        task = db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign.id)).one()
        assert (task.due_at + timedelta(hours=8)).date() == expected
        [stage_timer] = db.session.scalars(select(Timer).where(Timer.campaign_id == campaign.id,
                                                               Timer.subject_type == "campaign_stage")).all()
        assert (stage_timer.due_at + timedelta(hours=8)).date() == expected  # initiation's stage SLA is 5 too
