"""Reports: the diagnosis report (会诊) and the performance review notice (通报), as pages and workbooks."""
from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required

from services import reports

bp = Blueprint("reports", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> Response:
    return Response(content, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/campaigns/<int:campaign_id>/diagnosis")
@login_required
def diagnosis(campaign_id: int):
    report = reports.campaign_report(current_user, campaign_id)
    return render_template("reports/diagnosis.html", report=report, charts=reports.chart_series(report))


@bp.get("/campaigns/<int:campaign_id>/diagnosis.xlsx")
@login_required
def diagnosis_xlsx(campaign_id: int):
    report = reports.campaign_report(current_user, campaign_id)
    return xlsx_response(reports.report_xlsx(report), f"diagnosis-{report.campaign.code}.xlsx")

