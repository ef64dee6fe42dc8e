"""Publication management for lead departments and the supervisor: deadlines, overdue, export."""
import csv
import io

from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required
from openpyxl import Workbook

from services.stages import publication
from services.stages import referrals
from web.i18n import N_

bp = Blueprint("publication", __name__, url_prefix="/publication")

# services.stages.publication.DECISIONS, shown as the approval form's choice labels.
DECISION_LABELS = (N_("同意公示"), N_("暂缓公示（退回检查人员核实）"), N_("退回更正"))


@bp.get("/")
@login_required
def index():
    return render_template("publication/index.html", overview=publication.campaign_overview(current_user),
                           overdue=publication.overdue() if current_user.has_role("supervisor", "admin") else [],
                           referral_figures=referrals.figures(
                               department_id=None if current_user.has_role("supervisor", "admin") else current_user.department_id))


@bp.get("/<int:campaign_id>/export.csv")
@login_required
def export_csv(campaign_id: int):
    campaign, rows = publication.export_rows(current_user, campaign_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(publication.EXPORT_COLUMNS)
    writer.writerows(rows)
    # UTF-8 with BOM so that spreadsheet programs on Windows read the Chinese correctly.
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{campaign.code}-publication.csv"'})


@bp.get("/<int:campaign_id>/export.xlsx")
@login_required
def export_xlsx(campaign_id: int):
    campaign, rows = publication.export_rows(current_user, campaign_id)
    book = Workbook()
    sheet = book.active
    sheet.title = "抽查检查结果"
    sheet.append(publication.EXPORT_COLUMNS)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{campaign.code}-publication.xlsx"'})
