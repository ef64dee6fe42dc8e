"""Complaints: the department's list, registering one with its files, triage and the reply."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from models.complaint import SOURCES
from services.complaints import register as complaints
from services.complaints import triage
from services.errors import ValidationFailed
from services.stages import evidence
from web.form_errors import for_page
from web.i18n import N_

bp = Blueprint("complaints", __name__, url_prefix="/complaints")
NEW_LABELS = {"source": N_("来源"), "uscc": N_("被投诉举报的经营主体（统一社会信用代码）"), "department_id": N_("承办部门"),
              "matter_ids": N_("涉及的监管事项"), "content": N_("投诉举报内容"), "received_on": N_("收到日期"), "evidence": N_("附件")}
TRIAGE_LABELS = {"decision": N_("分办结果"), "reason": N_("分办理由"), "officer_ids": N_("检查人员"),
                 "referred_to_id": N_("转办部门"), "reply": N_("答复内容")}


def _labels(labels: dict) -> dict:
    return {name: _(text) for name, text in labels.items()}


@bp.get("/")
@login_required
def index():
    return render_template("complaints/index.html", complaints=complaints.visible(current_user), sources=SOURCES)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    errors, status = None, 200
    if request.method == "POST":
        data = {**request.form.to_dict(), "matter_ids": request.form.getlist("matter_ids")}
        uploads = [evidence.Upload(None, f.filename or "", f.stream) for f in request.files.getlist("evidence") if f.filename]
        try:
            complaint = complaints.register(current_user, data, uploads)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            flash(_("已登记投诉举报 %(code)s", code=complaint.code), "success")
            return redirect(url_for("complaints.detail", complaint_id=complaint.id))
    return render_template("complaints/new.html", sources=SOURCES, departments=complaints.departments(current_user),
                           matters=complaints.matters(), form=request.form,
                           errors=for_page(errors, _labels(NEW_LABELS))), status


@bp.get("/<int:complaint_id>")
@login_required
def detail(complaint_id: int, errors: dict | None = None, status: int = 200):
    complaint = complaints.get_visible(current_user, complaint_id)
    return render_template("complaints/detail.html", c=complaint, sources=SOURCES, decisions=triage.DECISIONS,
                           officers=triage.officers_of(complaint.department_id), departments=complaints.departments(current_user),
                           form=request.form, errors=for_page(errors, _labels(TRIAGE_LABELS))), status


@bp.post("/<int:complaint_id>/triage")
@login_required
def decide(complaint_id: int):
    data = {**request.form.to_dict(), "officer_ids": request.form.getlist("officer_ids")}
    try:
        triage.triage(current_user, complaint_id, data)
    except ValidationFailed as exc:
        return detail(complaint_id, exc.errors, 422)
    flash(_("已分办"), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint_id))


@bp.post("/<int:complaint_id>/reply")
@login_required
def reply(complaint_id: int):
    try:
        triage.record_reply(current_user, complaint_id, request.form.get("reply", ""))
    except ValidationFailed as exc:
        return detail(complaint_id, exc.errors, 422)
    flash(_("已记录答复"), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint_id))
