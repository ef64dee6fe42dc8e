"""Working-day calendar maintenance: overrides for days and years chinese-calendar does not know."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.workflow import calendar
from services.workflow import clock
from services.errors import ValidationFailed

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")


@bp.get("/")
@login_required
def index():
    year = request.args.get("year", clock.today().year, type=int)
    return render_template("calendar/index.html", year=year, **calendar.maintenance_view(current_user, year))


@bp.post("/overrides")
@login_required
def save_override():
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        raise ValidationFailed({"day": ["日期格式应为 YYYY-MM-DD"]})
    calendar.set_override(current_user, day, request.form.get("working") == "1", request.form.get("note"))
    flash(_("已保存 %(day)s", day=day), "success")
    return redirect(url_for("calendar.index", year=day.year))


@bp.post("/overrides/<day>/delete")
@login_required
def delete_override(day: str):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    calendar.delete_override(current_user, parsed)
    flash(_("已删除 %(day)s", day=parsed), "success")
    return redirect(url_for("calendar.index", year=parsed.year))


@bp.post("/years/<int:year>")
@login_required
def confirm_year(year: int):
    calendar.confirm_year(current_user, year, request.form.get("confirmed") == "1")
    flash(_("%(year)s 年日历状态已更新", year=year), "success")
    return redirect(url_for("calendar.index", year=year))
