"""Portal pages for rectification online: the claim form (item by item, with files) and the claim's files.

Routes join the portal blueprint (imported by web/__init__.py for that effect, like web/inbox/inspections.py).
"""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.errors import DomainError, ValidationFailed
from services.portal import claims, records
from web.i18n import known, known_errors
from web.uploads import evidence_file, evidence_uploads
from web.portal.routes import bp, enterprise_required


@bp.route("/inspections/<int:inspection_id>/rectification", methods=["GET", "POST"])
@enterprise_required
def rectification(inspection_id: int):
    if request.method == "GET":
        return _page(inspection_id, {}, {})
    actions = {int(k.partition("-")[2]): v for k, v in request.form.items()
               if k.startswith("action-") and k.partition("-")[2].isdigit()}
    try:
        claims.submit(g.enterprise_id, inspection_id, actions, evidence_uploads("-", plain=False))
    except ValidationFailed as exc:
        flash(known(exc.message), "error")
        errors = known_errors(exc.errors)
        return _page(inspection_id, errors, actions), 422
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(known(exc.message), "error")
        return _page(inspection_id, {}, actions), exc.status
    flash(_("整改情况已提交，部门审核后将通知您"), "success")
    return redirect(url_for("portal.rectification", inspection_id=inspection_id))


@bp.get("/claim-files/<int:file_id>")
@enterprise_required
def claim_file(file_id: int):
    row, path = claims.enterprise_file(g.enterprise_id, file_id)
    return evidence_file(row, path)


def _page(inspection_id: int, errors: dict, values: dict):
    record = records.inspection(g.enterprise_id, inspection_id)
    inspection = claims.open_order_for(g.enterprise_id, inspection_id)
    return render_template("portal/rectification.html", record=record, order=inspection,
                           items=claims.failed_items(inspection_id), errors=errors, values=values,
                           claims=claims.for_inspection(g.enterprise_id, inspection_id))
