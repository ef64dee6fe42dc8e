"""Publication management for lead departments and the supervisor: deadlines, overdue, export."""
from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required
from services import exports
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
                           overdue=publication.overdue(user=current_user) if current_user.has_role("supervisor", "admin") else [],
                           referral_figures=referrals.figures(
                               department_id=None if current_user.has_role("supervisor", "admin") else current_user.department_id))


@bp.get("/<int:campaign_id>/export.csv")
@login_required
def export_csv(campaign_id: int):
    campaign, rows = publication.export_rows(current_user, campaign_id)
    return Response(exports.csv_text(publication.EXPORT_COLUMNS, rows), mimetype=exports.CSV_MIME,
                    headers={"Content-Disposition": f'attachment; filename="{campaign.code}-publication.csv"'})


@bp.get("/<int:campaign_id>/export.xlsx")
@login_required
def export_xlsx(campaign_id: int):
    campaign, rows = publication.export_rows(current_user, campaign_id)
    return Response(exports.xlsx_bytes("抽查检查结果", publication.EXPORT_COLUMNS, rows), mimetype=exports.XLSX_MIME,
                    headers={"Content-Disposition": f'attachment; filename="{campaign.code}-publication.xlsx"'})
