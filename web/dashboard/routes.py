"""Dashboard page: parse the filters, call the service, render."""
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from services.org import accounts
from services.supervision import dashboard, selection_kpis
from services.workflow import clock

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def _int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/")
@login_required
def index():
    filters = dashboard.Filters(
        region_id=_int("region_id"), department_id=_int("department_id"), industry_id=_int("industry_id"),
        stage=request.args.get("stage") or None, overdue_only=request.args.get("overdue") == "1",
        page=_int("page") or 1)
    page = dashboard.live_campaigns(current_user, filters)
    expiring = accounts.expiring_certificates(current_user, clock.today(),
                                              current_app.config["CERT_EXPIRY_WARNING_DAYS"])
    today = clock.today()
    selection = selection_kpis.selection_kpis(current_user, today.replace(month=1, day=1), today)
    return render_template("dashboard/index.html", page=page, choices=dashboard.filter_choices(current_user),
                           args=request.args.to_dict(), expiring=expiring, today=today, selection=selection)
