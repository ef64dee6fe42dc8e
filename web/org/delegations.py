"""代办: an official arranges for a colleague of the same department to do their tasks while on leave."""
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.errors import ValidationFailed
from services.org import delegations
from web.org.routes import bp


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


@bp.route("/delegations", methods=["GET", "POST"])
@login_required
def delegation_index():
    errors, status = {}, 200
    if request.method == "POST":
        try:
            row = delegations.delegate(current_user, current_user.id, request.form.get("delegate", ""),
                                       _day("starts_on"), _day("ends_on"))
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            flash(_("已安排 %(name)s 代办 %(start)s 至 %(end)s 的任务", name=row.delegate.display_name,
                    start=row.starts_on, end=row.ends_on), "success")
            return redirect(url_for("org.delegation_index"))
    return render_template("org/delegations.html", rows=delegations.of_user(current_user), errors=errors,
                           form=request.form), status


@bp.post("/delegations/<int:delegation_id>/revoke")
@login_required
def delegation_revoke(delegation_id: int):
    delegations.revoke(current_user, delegation_id)
    flash(_("代办安排已撤销"), "success")
    return redirect(url_for("org.delegation_index"))
