"""The review scheme's rules: campaigns not yet due are not scored; a partner that declined does not score 100;
stage durations come from the stage records, in working days and hours, shown with the stage's name."""
from datetime import timedelta

import lxml.html
from sqlalchemy import select

from extensions import db
from models import Campaign, CampaignDepartment, Inspection, User
from services.stages import review, review_figures
from services.workflow import clock
from tests import factories
from tests.e2e.journey import user_client


def _declined_campaign(app):
    # campaign_at's report_in: the last partner declines; the draw runs; inspections open
    campaign_id, s = factories.campaign_at(app, "drawn", enterprises=2)
    return s, campaign_id


def _period(app):
    with app.app_context():
        supervisor = db.session.scalars(select(User).where(User.username == "supervisor")).one()
        today = clock.today()
        return review.period_review(supervisor, today - timedelta(days=120), today)  # the clock may have moved


def test_running_campaign_within_its_deadlines_is_listed_but_not_scored(app):
    _, campaign_id = _declined_campaign(app)
    r = _period(app)
    [(campaign, row)] = [(c, row) for c, row in r.campaigns if c.id == campaign_id]
    assert row["due"] is False and row["score"] is None
    assert r.departments == []  # nothing due, nothing to score a department on
    start = (clock.today() - timedelta(days=120)).isoformat()
    page = user_client(app, "supervisor").get(f"/reports/review?start={start}").get_data(as_text=True)
    doc = lxml.html.fromstring(page)
    [tr] = [tr for tr in doc.xpath("//tr") if campaign.code in tr.text_content()]
    assert "未到考核期" in tr.text_content()
    notice = user_client(app, "supervisor").get(f"/reports/campaigns/{campaign_id}/notice").get_data(as_text=True)
    assert "未到考核期" in notice


def test_declining_partner_counts_the_drawn_enterprises_as_not_inspected(app):
    s, campaign_id = _declined_campaign(app)
    clock.advance(timedelta(days=45))  # past the joint-inspection stage's 20 working days: due, and late
    with app.app_context():
        declined_id = db.session.scalars(select(CampaignDepartment.department_id).where(
            CampaignDepartment.campaign_id == campaign_id, CampaignDepartment.status == "declined")).one()
        drawn = len(db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).all())
    r = _period(app)
    [row] = [row for c, row in r.campaigns if c.id == campaign_id]
    assert row["due"] is True and row["score"] is not None
    [decliner] = [row for d, row in r.departments if d.id == declined_id]
    assert decliner["campaigns_declined"] == 1
    assert (decliner["inspections_assigned"], decliner["inspections_done"], decliner["coverage_pct"]) == (drawn, 0, 0.0)
    assert decliner["on_time_pct"] == 100.0  # it did answer in time
    assert decliner["score"] < 100


def test_stage_durations_from_stage_records_with_labels(app):
    _, campaign_id = _declined_campaign(app)
    clock.advance(timedelta(days=14))
    with app.app_context():
        figures = review_figures.campaign_figures(db.session.get(Campaign, campaign_id))
    spans = {st["stage"]: st for st in figures["stages"]}
    assert spans["joint_inspection"]["running"] and spans["joint_inspection"]["hours"] >= 14 * 24
    assert 8 <= spans["joint_inspection"]["working_days"] <= 11  # two calendar weeks, holidays aside
    assert not spans["initiation"]["running"]
    page = user_client(app, "supervisor").get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    table = lxml.html.fromstring(page).xpath("//table[contains(@class, 'stage-durations')]")[0].text_content()
    assert "联合检查" in table and "进行中" in table and "joint_inspection" not in table


def test_the_leads_diagnosis_assessment_appears_in_the_report_and_the_notice(app):
    campaign_id, _ = factories.campaign_at(app, "closed", enterprises=2)
    supervisor = user_client(app, "supervisor")
    for path in (f"/reports/campaigns/{campaign_id}/diagnosis", f"/reports/campaigns/{campaign_id}/notice"):
        doc = lxml.html.fromstring(supervisor.get(path).get_data(as_text=True))
        [section] = doc.xpath("//section[contains(@class, 'assessment')]")
        assert "会诊意见" in section.text_content() and "总体较好，个别企业存在问题" in section.text_content(), path
