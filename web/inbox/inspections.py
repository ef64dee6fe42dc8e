"""An inspection's record: sign-offs, revision history, corrections, referrals and consequences."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.errors import rows_by_key
from forms.loader import from_html, load_form
from services.stages import corrections
from services.stages import evidence
from services.stages import inspections
from services.stages import referrals
from services.errors import ValidationFailed
from web.form_errors import FormErrors, for_task_form
from web.i18n import known
from web.inbox.routes import bp


@bp.get("/inspections/<int:inspection_id>")
@login_required
def inspection_detail(inspection_id: int):
    return _page(inspection_id)


def _page(inspection_id: int, values=None, errors=None, status=200):
    inspection = inspections.get(current_user, inspection_id)
    context = inspections.form_context(inspection, None)
    context.info["no_uploads"] = True  # evidence is added while inspecting, not in a correction
    form = load_form("joint_inspection")
    return render_template(
        "inbox/inspection.html", inspection=inspection, form=form, context=context,
        values=values if values is not None else inspections.flat(inspections.snapshot(inspection)),
        errors=for_task_form(form, context, errors, {"reason": _("更正理由")}) if errors else FormErrors(), referrals=referrals.for_inspection(inspection.id),
        evidence=[e for rows in evidence.for_inspection(inspection.id).values() for e in rows],
        is_officer=any(o.user_id == current_user.id for o in inspection.officers),
        can_correct=inspection.status == "submitted" and corrections.can_correct(current_user, inspection)), status


@bp.post("/inspections/<int:inspection_id>/correct")
@login_required
def inspection_correct(inspection_id: int):
    inspection = inspections.get(current_user, inspection_id)
    submission = from_html(load_form("joint_inspection"), inspections.form_context(inspection, None), request.form)
    try:
        revision = corrections.correct(current_user, inspection_id, submission, request.form.get("reason", ""))
    except ValidationFailed as exc:
        return _page(inspection_id, rows_by_key(load_form("joint_inspection"), submission), exc.errors, 422)
    flash(_("已更正，形成第 %(n)s 版", n=revision.number), "success")
    return redirect(url_for("inbox.inspection_detail", inspection_id=inspection_id))


@bp.post("/inspections/<int:inspection_id>/referrals")
@login_required
def referral_create(inspection_id: int):
    form = request.form
    item = form.get("checklist_item_id", "")
    try:
        referrals.create(current_user, inspection_id, form.get("to_department_id", type=int),
                         form.get("finding", ""), int(item) if item.isdigit() else None,
                         [int(v) for v in form.getlist("evidence_ids") if v.isdigit()])
    except ValidationFailed as exc:
        flash(_("移交未提交：") + _("；").join(known(m) for msgs in exc.errors.values() for m in msgs), "error")
        return _page(inspection_id, status=422)
    flash(_("已移交，接收部门将收到签收任务"), "success")
    return redirect(url_for("inbox.inspection_detail", inspection_id=inspection_id))


@bp.post("/inspections/<int:inspection_id>/abnormal-listed")
@login_required
def abnormal_listed(inspection_id: int):
    inspections.mark_abnormal_listed(current_user, inspection_id)
    flash(_("已登记列入经营异常名录"), "success")
    return redirect(url_for("inbox.inspection_detail", inspection_id=inspection_id))


@bp.get("/referrals")
@login_required
def referral_index():
    return render_template("inbox/referrals.html", rows=referrals.for_department(current_user))
