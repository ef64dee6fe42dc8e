"""Portal page for credit repair (信用修复). Routes join the portal blueprint (imported by web/__init__.py)."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.errors import ValidationFailed
from services.portal import credit_repair
from web.i18n import known_errors
from web.portal.routes import bp, enterprise_required


@bp.route("/credit-repair", methods=["GET", "POST"])
@enterprise_required
def credit():
    if request.method == "GET":
        return _page({}, {})
    values = {"follow_up_id": request.form.get("follow_up_id", ""), "statement": request.form.get("statement", "")}
    follow_up_id = int(values["follow_up_id"]) if values["follow_up_id"].isdigit() else None
    try:
        credit_repair.apply(g.enterprise_id, follow_up_id, values["statement"])
    except ValidationFailed as exc:
        return _page(known_errors(exc.errors), values), 422
    flash(_("信用修复申请已提交，牵头部门审核后将通知您"), "success")
    return redirect(url_for("portal.credit"))


def _page(errors: dict, values: dict):
    return render_template("portal/credit.html", orders=credit_repair.eligible_orders(g.enterprise_id),
                           repairs=credit_repair.for_enterprise(g.enterprise_id), errors=errors, values=values)
