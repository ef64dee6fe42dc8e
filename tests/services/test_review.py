"""Performance review figures against hand-computed expectations on the fixed dataset."""
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from extensions import db
from models import AuditRecord, Campaign, Department, Inspection, Referral, User
from services.stages import review, review_figures
from services.errors import Forbidden, ValidationFailed
from tests.conftest import csrf_token, login
from tests.services import report_dataset
from tests.services.report_dataset import EXPECTED


def _user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def test_campaign_figures_and_visits_saved(app):
    with app.app_context():
        ids = report_dataset.build()
        f = review_figures.campaign_figures(db.session.get(Campaign, ids["campaign_id"]))
        assert (f["visits_separate"], f["visits_joint"], f["visits_saved_pct"]) == (
            EXPECTED["visits_separate"], EXPECTED["visits_joint"], EXPECTED["visits_saved_pct"])
        # tasks: 2 h, 4 h, 6 h within their due times, 30 h against 24 h late
        assert (f["tasks_completed"], f["tasks_on_time"], f["tasks_late"], f["on_time_pct"]) == (4, 3, 1, 75.0)
        # published: E1, E2 on the due date (Beijing), E3 three days late
        assert (f["published"], f["published_on_time"], f["published_on_time_pct"]) == (3, 2, 66.7)
        assert f["coverage_pct"] == 75.0 and f["follow_ups_closed_pct"] is None
        assert f["referrals_in_time_pct"] is None  # no referral table in this schema: "n/a"
        assert [(st["stage"], st["hours"], st["running"]) for st in f["stages"]] == [
            ("joint_inspection", 10.0, False), ("publication", 30.0, False), ("diagnosis", 4.0, False)]


def test_period_review_per_department_score_and_year_on_year(app):
    with app.app_context():
        ids = report_dataset.build()
        supervisor = _user("supervisor")
        r = review.period_review(supervisor, date(2026, 1, 1), date(2026, 12, 31))
        assert [c.id for c, _ in r.campaigns] == [ids["campaign_id"]]
        expected_score = round((30 * 75.0 + 20 * 75.0 + 20 * 66.7 + 10 * 40.0) / 80, 1)
        assert r.campaigns[0][1]["score"] == r.totals["score"] == expected_score
        departments = {d.code: row for d, row in r.departments}
        # scjg: tasks 2 on time + 1 late; officers on E1-E4, three submitted; leads the campaign
        assert (departments["scjg"]["on_time_pct"], departments["scjg"]["inspections_assigned"],
                departments["scjg"]["inspections_done"], departments["scjg"]["published_on_time_pct"]) == (66.7, 4, 3, 66.7)
        # wjw: one task on time; officers on E1, E2, E4; leads nothing
        assert (departments["wjw"]["on_time_pct"], departments["wjw"]["coverage_pct"],
                departments["wjw"]["published_on_time_pct"], departments["wjw"]["visits_saved_pct"]) == (100.0, 66.7, None, None)
        assert departments["wjw"]["score"] == round((30 * 100.0 + 20 * 66.7) / 50, 1)
        assert r.stage_medians == {"joint_inspection": 10.0, "publication": 30.0, "diagnosis": 4.0}
        # previous year: T-PREV, 2 joint visits, 2 enterprises; now 3 and 3: +50 %
        assert (r.previous_totals["visits_joint"], r.previous_totals["enterprises_checked"]) == (2, 2)
        assert r.change["visits_joint"] == 50.0 and r.change["enterprises_checked"] == 50.0
        assert r.totals["visits_saved_pct"] == 40.0
        with pytest.raises(Forbidden):
            review.period_review(_user("scjg_01"), date(2026, 1, 1), date(2026, 12, 31))


def test_weights_are_the_supervisors_and_change_the_score(app):
    with app.app_context():
        ids = report_dataset.build()
        with pytest.raises(Forbidden):
            review.set_weights(_user("scjg_admin"), {"on_time_pct": 1})
        with pytest.raises(ValidationFailed):
            review.set_weights(_user("supervisor"), {"on_time_pct": -1})
        review.set_weights(_user("supervisor"), {"visits_saved_pct": 1})
        assert db.session.scalars(select(AuditRecord).where(AuditRecord.action == "review.weights")).one()
        r = review.period_review(_user("supervisor"), date(2026, 1, 1), date(2026, 12, 31))
        assert r.totals["score"] == 40.0 and review.current_weights()["on_time_pct"] == 0.0
        assert ids


def test_notice_pages_exports_and_authorization(app):
    with app.app_context():
        ids = report_dataset.build()
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    page = supervisor.get("/reports/review?start=2026-01-01&end=2026-12-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "绩效考核通报" in html and "40.0%" in html and "n/a" in html and "@media print" in html
    export = supervisor.get("/reports/review.xlsx?start=2026-01-01&end=2026-12-31")
    assert export.status_code == 200
    totals = {row[0]: row[1:] for row in load_workbook(BytesIO(export.data))["总体"].iter_rows(min_row=2, values_only=True)}
    assert totals["检查户数"] == (3, 2, 50.0) and totals["移交按时签收率"][0] == "n/a"
    token = csrf_token(supervisor, "/reports/review/weights")
    assert supervisor.post("/reports/review/weights", data={"csrf_token": token, "on_time_pct": "abc"}).status_code == 422
    assert supervisor.post("/reports/review/weights", data={"csrf_token": token, "on_time_pct": "50",
                                                            "coverage_pct": "50"}).status_code == 302
    notice = supervisor.get(f"/reports/campaigns/{ids['campaign_id']}/notice").get_data(as_text=True)
    assert "工作情况的通报" in notice and "减少上门 40.0%" in notice

    official = app.test_client()
    login(official, "scjg_01")
    for path in ("/reports/review", "/reports/review.xlsx", "/reports/review/weights"):
        assert official.get(path).status_code == 403
    assert official.get(f"/reports/campaigns/{ids['campaign_id']}/notice").status_code == 200  # took part
    outsider = app.test_client()
    login(outsider, "xf_01")
    assert outsider.get(f"/reports/campaigns/{ids['campaign_id']}/notice").status_code == 403
    anonymous = app.test_client()
    for path in ("/reports/review", "/reports/review.xlsx", f"/reports/campaigns/{ids['campaign_id']}/notice"):
        assert anonymous.get(path).status_code == 302


def test_referral_figure_counts_decisions_by_the_deadline(app):
    with app.app_context():
        ids = report_dataset.build()
        cid = ids["campaign_id"]
        assert review_figures.referral_figures([cid]) == {}
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == cid)).first()
        scjg, wjw = (db.session.scalars(select(Department).where(Department.code == c)).one() for c in ("scjg", "wjw"))
        creator = db.session.scalars(select(User).where(User.username == "scjg_01")).one()

        def referral(decided_at):
            db.session.add(Referral(campaign_id=cid, inspection_id=inspection.id, from_department_id=scjg.id,
                                    to_department_id=wjw.id, finding="发现卫生问题", status="accepted" if decided_at
                                    else "open", due_on=date(2026, 3, 9), created_by_id=creator.id,
                                    created_at=datetime(2026, 3, 2), decided_at=decided_at))
        referral(datetime(2026, 3, 9, 15, 0))   # 23:00 on the due day in China: in time
        referral(datetime(2026, 3, 9, 16, 30))  # 00:30 the next day in China: late
        referral(None)                          # never decided
        db.session.commit()
        assert review_figures.referral_figures([cid]) == {cid: {"referrals": 3, "referrals_in_time": 1}}
        f = review_figures.campaign_figures(db.session.get(Campaign, cid))
        assert f["referrals_in_time_pct"] == 33.3