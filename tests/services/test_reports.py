"""Report figures against hand-computed expectations on the fixed dataset (tests/services/report_dataset.py)."""
from io import BytesIO

from openpyxl import load_workbook

from extensions import db
from models import Campaign
from services.stages import diagnosis_report as reports
from tests.conftest import login
from tests.services import report_dataset
from tests.services.report_dataset import EXPECTED


def test_diagnosis_report_figures(app):
    with app.app_context():
        ids = report_dataset.build()
        report = reports.build_report(db.session.get(Campaign, ids["campaign_id"]))
        s = report.summary
        assert (s.drawn, s.inspected, s.problems, s.problem_rate) == (
            EXPECTED["drawn"], EXPECTED["inspected"], EXPECTED["problems"], EXPECTED["problem_rate"])
        assert [(code, n) for code, _, n in report.by_category] == EXPECTED["by_category"]
        assert [(r.checked, r.failed, r.rate) for r in report.by_matter] == EXPECTED["by_matter"]
        assert [(r.label, r.checked, r.failed) for r in report.by_department] == [
            ("蕲春县市场监督管理局", 3, 2), ("蕲春县卫生健康委员会", 2, 1)]
        assert [(text, n) for text, _, n in report.top_problems] == EXPECTED["top"]
        assert report.previous.campaign_id == ids["previous_id"]
        assert (report.previous.problem_rate, report.problem_rate_change) == (EXPECTED["previous_rate"], EXPECTED["change"])
        assert list(report.previous_by_matter.values()) == [50.0, 0.0]


def test_report_page_and_xlsx(app):
    with app.app_context():
        ids = report_dataset.build()
    client = app.test_client()
    login(client, "scjg_01")
    page = client.get(f"/reports/campaigns/{ids['campaign_id']}/diagnosis")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and "66.7%" in html and "是否公示有效许可证" in html and "+16.7" in html
    assert "@media print" in html and "cdn" not in html.lower()
    export = client.get(f"/reports/campaigns/{ids['campaign_id']}/diagnosis.xlsx")
    assert export.status_code == 200
    book = load_workbook(BytesIO(export.data))
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["已检查户数"] == 3 and overview["问题发现率(%)"] == 66.7
    matters = list(book["事项问题率"].iter_rows(min_row=2, values_only=True))
    assert matters[0][1:4] == (3, 2, 66.7)


def test_report_pages_refuse_outsiders(app):
    with app.app_context():
        ids = report_dataset.build()
    anonymous = app.test_client()
    for path in (f"/reports/campaigns/{ids['campaign_id']}/diagnosis", f"/reports/campaigns/{ids['campaign_id']}/diagnosis.xlsx"):
        assert anonymous.get(path).status_code == 302  # to the login page
    outsider = app.test_client()
    login(outsider, "xf_01")  # 消防 took no part in the campaign
    for path in (f"/reports/campaigns/{ids['campaign_id']}/diagnosis", f"/reports/campaigns/{ids['campaign_id']}/diagnosis.xlsx"):
        assert outsider.get(path).status_code == 403


def test_bench_dataset_builds_and_reports(app):
    from bench.report import build_campaign
    with app.app_context():
        campaign_id = build_campaign(n=40)
        report = reports.build_report(db.session.get(Campaign, campaign_id))
        assert report.summary.inspected == 40 and len(report.by_department) == 4
