"""What enterprises asked through the portal, for the departments that decide (/applications): rectification
claims, recusal applications. Routes parse, call one service, render."""
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.errors import ValidationFailed
from services.directory.export import XLSX_MIME
from services.portal import claims, credit_repair, objections, recusals
from web.form_errors import FormErrors, for_page
from web.i18n import known, known_errors
from web.uploads import evidence_file

bp = Blueprint("applications", __name__, url_prefix="/applications")


@bp.get("/")
@login_required
def index():
    return _index(FormErrors())


def _index(errors, reply: dict | None = None):
    return render_template("applications/index.html", claims=claims.pending_for(current_user),
                           recusals=recusals.pending_for(current_user),
                           repairs=credit_repair.pending_for(current_user), errors=errors, reply=reply or {})


@bp.get("/claims/<int:claim_id>")
@login_required
def claim(claim_id: int):
    return render_template("applications/claim.html", v=claims.view_for(current_user, claim_id), errors={})


@bp.post("/claims/<int:claim_id>/accept")
@login_required
def accept_claim(claim_id: int):
    claims.accept(current_user, claim_id)
    flash(_("已确认整改到位"), "success")
    return redirect(url_for("applications.claim", claim_id=claim_id))


@bp.post("/claims/<int:claim_id>/return")
@login_required
def return_claim(claim_id: int):
    try:
        claims.return_claim(current_user, claim_id, request.form.get("reason", ""))
    except ValidationFailed as exc:
        errors = known_errors(exc.errors)
        return render_template("applications/claim.html", v=claims.view_for(current_user, claim_id),
                               errors=errors, reason=request.form.get("reason", "")), 422
    flash(_("已退回，企业将收到退回理由"), "success")
    return redirect(url_for("applications.claim", claim_id=claim_id))


@bp.get("/claim-files/<int:file_id>")
@login_required
def claim_file(file_id: int):
    row, path = claims.official_file(current_user, file_id)
    return evidence_file(row, path)


@bp.get("/objection-files/<int:file_id>")
@login_required
def objection_file(file_id: int):
    row, path = objections.official_file(current_user, file_id)
    return evidence_file(row, path)


@bp.post("/recusals/<int:application_id>")
@login_required
def decide_recusal(application_id: int):
    accept = request.form.get("decision") == "accept"
    return _decided(f"recusal-{application_id}", _("审核意见"), lambda reply: recusals.decide(
        current_user, application_id, accept, reply),
        _("已同意回避，以后的抽取不再将其派往该企业") if accept else _("已不予回避，企业将收到理由"))


@bp.post("/credit-repairs/<int:repair_id>")
@login_required
def decide_credit_repair(repair_id: int):
    grant = request.form.get("decision") == "grant"
    return _decided(f"repair-{repair_id}", _("审核意见"), lambda reply: credit_repair.decide(
        current_user, repair_id, grant, reply),
        _("已准予信用修复") if grant else _("已不予信用修复，企业将收到理由"))


def _decided(key: str, label: str, decide, done: str):
    """One decision on an application: done → back to the list; refused → the list again with the error
    beside that application's reply and the reply kept."""
    reply = request.form.get("response", "")
    try:
        decide(reply)
    except ValidationFailed as exc:
        messages = [known(m) for v in exc.errors.values() for m in v] or [known(exc.message)]
        return _index(for_page({key: messages}, {key: label}), {key: reply}), 422
    flash(done, "success")
    return redirect(url_for("applications.index"))


@bp.get("/credit-repairs.xlsx")
@login_required
def credit_repairs_xlsx():
    return send_file(credit_repair.export(current_user), mimetype=XLSX_MIME, as_attachment=True,
                     download_name="credit-repairs.xlsx")
