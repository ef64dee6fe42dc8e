"""The supervisor's dashboard: stage against SLA, overdue first and in red, filters, and who may see it."""
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from extensions import db
from models import Department, Enterprise, Industry, Inspection, Region, User
from services.workflow import clock
from services.supervision import dashboard
from tests.conftest import login
from tests.services.test_escalations import open_campaign


def _two_campaigns(app) -> tuple[SimpleNamespace, SimpleNamespace]:
    def plain(campaign):
        return SimpleNamespace(id=campaign.id, code=campaign.code, region_id=campaign.region_id,
                               industry_id=campaign.industry_id, lead_department_id=campaign.lead_department_id)
    with app.app_context():
        late = plain(open_campaign())
        clock.advance(timedelta(days=20))  # past initiation's 5 working days
        return late, plain(open_campaign())


def test_dashboard_rows_and_filters(app):
    late, fresh = _two_campaigns(app)
    with app.app_context():
        supervisor = db.session.scalars(select(User).where(User.username == "supervisor")).one()
        page = dashboard.live_campaigns(supervisor, dashboard.Filters())
        assert [r.code for r in page.rows] == [late.code, fresh.code] and page.total == 2  # overdue first
        first, second = page.rows
        assert (first.overdue, second.overdue) == (True, False)
        assert (first.stage, first.sla_days, first.open_tasks, first.overdue_tasks) == ("initiation", 5, 1, 1)
        assert first.days_in_stage >= 10 and second.days_in_stage == 0
        assert first.stage_due < page.now < second.stage_due
        assert first.next_timer_due == first.stage_due  # no worker ran: its task and stage timers still pend
        region = db.session.scalars(select(Region).where(Region.id == late.region_id)).one()
        other_region = db.session.scalars(select(Region.id).where(Region.id != region.id)).first()
        wjw = db.session.scalars(select(Department.id).where(Department.code == "wjw")).one()
        other_industry = db.session.scalars(select(Industry.id).where(Industry.id != late.industry_id)).first()

        def codes(**kw):
            return [r.code for r in dashboard.live_campaigns(supervisor, dashboard.Filters(**kw)).rows]

        assert codes(overdue_only=True) == [late.code]
        assert codes(stage="initiation") == [late.code, fresh.code] and codes(stage="draw") == []
        assert codes(region_id=region.id) == [late.code, fresh.code] and codes(region_id=other_region) == []
        assert codes(department_id=late.lead_department_id) == [late.code, fresh.code]
        assert codes(department_id=wjw) == []
        assert codes(industry_id=late.industry_id) == [late.code, fresh.code]
        assert codes(industry_id=other_industry) == []
        assert codes(page=2) == []


def test_dashboard_page_for_supervisor_and_admin_only(app):
    late, fresh = _two_campaigns(app)
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    html = supervisor.get("/dashboard/").get_data(as_text=True)
    assert late.code in html and fresh.code in html and 'class="state-late overdue"' in html
    assert f'href="/campaigns/{late.id}"' in html  # the diagram and history page
    html = supervisor.get("/dashboard/?overdue=1").get_data(as_text=True)
    assert late.code in html and fresh.code not in html
    html = supervisor.get("/dashboard/?stage=draw").get_data(as_text=True)
    assert "没有符合条件的检查活动" in html
    admin = app.test_client()
    login(admin, "admin")
    assert admin.get("/dashboard/").status_code == 200
    official = app.test_client()
    login(official, "scjg_01")
    assert official.get("/dashboard/").status_code == 403
    assert "督办看板" not in official.get("/inbox/").get_data(as_text=True)
    assert app.test_client().get("/dashboard/").status_code == 302


def test_results_past_their_publication_deadline_make_a_campaign_overdue(app):
    """公示 deadline: a final result not published in time shows on the dashboard, in red, counted."""
    with app.app_context():
        campaign = open_campaign()
        enterprises = db.session.scalars(select(Enterprise.id).where(
            Enterprise.industry_id == campaign.industry_id).limit(2)).all()
        today = clock.today()
        db.session.add_all([
            Inspection(campaign_id=campaign.id, enterprise_id=enterprises[0], status="submitted",
                       publication_due=today - timedelta(days=1)),       # late, unpublished
            Inspection(campaign_id=campaign.id, enterprise_id=enterprises[1], status="submitted",
                       publication_due=today + timedelta(days=10))])    # still in time
        db.session.commit()
        supervisor = db.session.scalars(select(User).where(User.username == "supervisor")).one()
        [row] = dashboard.live_campaigns(supervisor, dashboard.Filters(overdue_only=True)).rows
        assert (row.campaign_id, row.overdue, row.overdue_publications, row.overdue_tasks) == (campaign.id, True, 1, 0)
        code = row.code
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    html = supervisor.get("/dashboard/?overdue=1").get_data(as_text=True)
    assert code in html and '<span class="late">1 户</span>' in html


def test_dashboard_board_and_diagram_colour_a_stage_by_one_rule(app):
    """domain.stage_timing.state decides the colour everywhere: amber near the limit, red past it, the same
    on the dashboard row, the board's current stage bar and the campaign diagram's waiting element."""
    from domain import stage_timing
    from services.supervision import board
    from tests.e2e.journey import user_client

    with app.app_context():
        campaign_id = open_campaign().id
    # Its stage timer was set for 5 working days; with a limit of 1 the day it started is already "near".
    app.config["STAGE_SLA_WORKING_DAYS"] = {**app.config["STAGE_SLA_WORKING_DAYS"], "initiation": 1}
    supervisor, lead = app.test_client(), user_client(app, "scjg_01")
    login(supervisor, "supervisor")

    def seen() -> tuple[str, str, str, str]:
        with app.app_context():
            viewer = db.session.scalars(select(User).where(User.username == "supervisor")).one()
            (row,) = dashboard.live_campaigns(viewer, dashboard.Filters()).rows
            assert row.state == stage_timing.state(row.days_in_stage, row.sla_days, late=row.overdue)
            (timeline,) = board.timelines(viewer)
            bar = next(b for b in timeline.stages if b.status == "current")
        html = supervisor.get("/dashboard/").get_data(as_text=True)
        states = lead.get(f"/campaigns/{campaign_id}/diagram-states.json").get_json()
        waiting = {s for s in states.values() if s not in ("completed",)}
        assert len(waiting) == 1, states
        return row.state, bar.state, waiting.pop(), html

    row, bar, element, html = seen()
    assert (row, bar, element) == ("warn", "warn", "warn")
    assert 'class="state-warn"' in html and "临近" in html
    clock.advance(timedelta(days=20))  # past the stage timer: late
    row, bar, element, html = seen()
    assert (row, bar, element) == ("late", "late", "overdue")
    assert 'class="state-late overdue"' in html and "超时" in html
