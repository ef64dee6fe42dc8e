"""Reports: the diagnosis report (会诊), the performance review notice (通报) and the credit records (信用归集),
as pages and downloads."""
import json
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from services import credit_records, exports
from services.stages import initiation as campaigns
from services.workflow import clock
from services.stages import diagnosis_report as reports
from services.stages import review, review_figures
from services.supervision import selection_kpis
from services.errors import ValidationFailed
from web.filters import data_label
from web.form_errors import FormErrors, for_page

bp = Blueprint("reports", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> Response:
    return Response(content, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/campaigns/<int:campaign_id>/diagnosis")
@login_required
def diagnosis(campaign_id: int):
    report = reports.campaign_report(current_user, campaign_id)
    charts = reports.chart_series(report)
    charts["grades"] = [(_("%(grade)s 级", grade=grade), n) for grade, n in report.grades.items()]  # the page's language
    return render_template("reports/diagnosis.html", report=report, charts=charts)


@bp.get("/campaigns/<int:campaign_id>/diagnosis.xlsx")
@login_required
def diagnosis_xlsx(campaign_id: int):
    report = reports.campaign_report(current_user, campaign_id)
    return xlsx_response(reports.report_xlsx(report), f"diagnosis-{report.campaign.code}.xlsx")



def _period():
    today = clock.today()
    try:
        start = date.fromisoformat(request.args.get("start") or f"{today.year}-01-01")
        end = date.fromisoformat(request.args.get("end") or today.isoformat())
    except ValueError as exc:
        raise ValidationFailed({"start": ["日期格式应为 YYYY-MM-DD"]}) from exc
    department = request.args.get("department_id")
    return start, end, int(department) if department and department.isdigit() else None


@bp.get("/review")
@login_required
def review_notice():
    start, end, department_id = _period()
    result = review.period_review(current_user, start, end, department_id)
    return render_template("reports/review.html", r=result, metrics=review.METRICS, department_id=department_id,
                           departments=review.departments(current_user),
                           selection=selection_kpis.selection_kpis(current_user, start, end, department_id))


@bp.get("/review.xlsx")
@login_required
def review_xlsx():
    start, end, department_id = _period()
    result = review.period_review(current_user, start, end, department_id)
    return xlsx_response(reports.review_xlsx(result), f"review-{start}-{end}.xlsx")


@bp.route("/review/weights", methods=["GET", "POST"])
@login_required
def review_weights():
    if request.method == "POST":
        try:
            review.set_weights(current_user, {k: request.form.get(k) for k in review.METRICS})
        except ValidationFailed as exc:
            labels = {key: data_label(label) for key, (label, _unit) in review.METRICS.items()}
            return render_template("reports/weights.html", metrics=review.METRICS, weights=request.form,
                                   errors=for_page(exc.errors, labels)), 422
        flash(_("考核权重已保存"), "success")
        return redirect(url_for("reports.review_weights"))
    return render_template("reports/weights.html", metrics=review.METRICS, weights=review.weights_to_edit(current_user),
                           errors=FormErrors())


@bp.get("/campaigns/<int:campaign_id>/notice")
@login_required
def campaign_notice(campaign_id: int):
    campaign = campaigns.get_campaign(current_user, campaign_id)
    figures = review_figures.campaign_figures(campaign)
    figures["score"] = review.score(figures, review.current_weights()) if review.is_due(campaign) else None
    figures["due"] = review.is_due(campaign)
    return render_template("reports/notice.html", campaign=campaign, figures=figures, metrics=review.METRICS,
                           stored=review.stored_review(campaign.id), diagnosis=reports.recorded_diagnosis(campaign.id))


@bp.get("/")
@login_required
def index():
    return render_template("reports/index.html")


@bp.get("/credit")
@login_required
def credit():
    """信用归集: choose a date window, see the records, download them (CSV / XLSX / JSON)."""
    start, end = request.args.get("start"), request.args.get("end")
    if not (start or end):
        today = clock.today().isoformat()
        return render_template("reports/credit.html", start=today, end=today, records=None, errors=FormErrors())
    try:
        _span, records = credit_records.export(current_user, start, end)
    except ValidationFailed as exc:
        labels = {"start": _("起始日期"), "end": _("截止日期")}
        return render_template("reports/credit.html", start=start, end=end, records=None,
                               errors=for_page(exc.errors, labels)), 422
    return render_template("reports/credit.html", start=start, end=end, records=records, errors=FormErrors())


@bp.get("/credit.<any(csv, xlsx, json):fmt>")
@login_required
def credit_download(fmt: str):
    span, records = credit_records.export(current_user, request.args.get("start"), request.args.get("end"))
    name = f"credit-records-{span[0]}-{span[1]}.{fmt}"
    rows = [r.row() for r in records]
    if fmt == "json":
        return Response(json.dumps(credit_records.as_json(span, records), ensure_ascii=False), mimetype="application/json",
                        headers={"Content-Disposition": f"attachment; filename={name}"})
    if fmt == "csv":
        return Response(exports.csv_text(credit_records.HEADER, rows), mimetype=exports.CSV_MIME,
                        headers={"Content-Disposition": f"attachment; filename={name}"})
    return xlsx_response(exports.xlsx_bytes("信用归集", credit_records.HEADER, rows), name)
