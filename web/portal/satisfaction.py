"""Portal: rate a closed inspection (1–5 and a comment), once. Routes join the portal blueprint."""
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from services.errors import ValidationFailed
from services.portal import satisfaction
from web.i18n import known, known_errors
from web.portal.routes import inspection_page, bp, enterprise_required


@bp.post("/inspections/<int:inspection_id>/satisfaction")
@enterprise_required
def rate(inspection_id: int):
    try:
        satisfaction.rate(g.enterprise_id, inspection_id, request.form.get("score"), request.form.get("comment"))
    except ValidationFailed as exc:
        flash(known(exc.message), "error")
        errors = {f"rating_{k}": v for k, v in known_errors(exc.errors).items()}
        return inspection_page(inspection_id, errors, {"comment": request.form.get("comment", "")}), 422
    flash(_("感谢您的评价"), "success")
    return redirect(url_for("portal.inspection", inspection_id=inspection_id))
