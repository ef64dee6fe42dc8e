"""Portal page for recusal requests (申请回避). Routes join the portal blueprint (imported by web/__init__.py)."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.errors import ValidationFailed
from services.portal import recusals
from web.i18n import known_errors
from web.portal.routes import bp, enterprise_required


@bp.route("/recusals", methods=["GET", "POST"])
@enterprise_required
def recusal():
    if request.method == "GET":
        return _page({}, {})
    values = {"cert_no": request.form.get("cert_no", ""), "reason": request.form.get("reason", "")}
    try:
        recusals.apply(g.enterprise_id, values["cert_no"], values["reason"])
    except ValidationFailed as exc:
        return _page(known_errors(exc.errors), values), 422
    flash(_("回避申请已提交，执法人员所在部门审核后将通知您"), "success")
    return redirect(url_for("portal.recusal"))


def _page(errors: dict, values: dict):
    return render_template("portal/recusal.html", applications=recusals.for_enterprise(g.enterprise_id),
                           errors=errors, values=values)
