"""Officials' inbox: my tasks, my department's pool, and the task forms.

Each rendered task form carries a fresh completion key: a submit repeated (a double click, a
browser resending after a dropped connection) finds the first completion and answers as it did.
"""
import uuid

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.errors import rows_by_key
from forms.loader import from_html
from services.workflow import clock
from services.stages import evidence
from services.stages import follow_up
from services.stages import inspections
from services.workflow import task_views
from services.workflow import tasks
from services.errors import ValidationFailed
from web.form_errors import FormErrors, for_task_form

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.get("/")
@login_required
def index():
    campaign_id = request.args.get("campaign_id", "")
    box = tasks.inbox_page(current_user, campaign_id=int(campaign_id) if campaign_id.isdigit() else None,
                           stage=request.args.get("stage") or None)
    return render_template("inbox/index.html", box=box)


@bp.get("/tasks/<int:task_id>")
@login_required
def task_detail(task_id: int):
    view = tasks.task_form(current_user, task_id)
    return render_template("inbox/task.html", view=view, values=view.context.initial, errors=FormErrors(),
                           can_act=tasks.can_act(current_user, view.task), completion_key=uuid.uuid4().hex,
                           about=task_views.describe([view.task], current_user)[0])


@bp.post("/tasks/<int:task_id>")
@login_required
def task_submit(task_id: int):
    key = request.form.get("completion_key") or None
    if tasks.earlier_completion(current_user, task_id, key) is not None:  # before storing any upload again
        return _completed(tasks.get_task(current_user, task_id))
    view = tasks.task_form(current_user, task_id)
    submission = from_html(view.form, view.context, request.form)
    try:
        uploads = _uploads() if view.task.form_key in ("joint_inspection", "rectification") else []
        if uploads and view.task.form_key == "rectification":  # the enterprise's proof of what it fixed
            follow_up.attach_evidence(current_user, view.task.inspection_id, uploads)
        elif uploads:  # stored first, all or nothing; kept even if the form itself needs fixing
            evidence.store(current_user, view.task.inspection_id, uploads)
        if request.form.get("action") == "draft" and view.task.form_key == "joint_inspection":
            inspections.save_draft(current_user, view.task.inspection_id, submission)
            flash(_("草稿已保存"), "success")
            return redirect(url_for("inbox.task_detail", task_id=task_id))
        if key:
            tasks.complete_with_key(current_user, task_id, submission, key)
        else:
            tasks.complete(current_user, task_id, submission)
    except ValidationFailed as exc:
        # No flash: the form's error summary says it, beside the fields it concerns, and keeps every value.
        view = tasks.task_form(current_user, task_id)
        return render_template("inbox/task.html", view=view, values=rows_by_key(view.form, submission),
                               errors=for_task_form(view.form, view.context, exc.errors), can_act=True,
                               completion_key=key or uuid.uuid4().hex,
                               about=task_views.describe([view.task], current_user)[0]), 422
    return _completed(view.task)


def _completed(task):
    flash(_("已办理：%(title)s", title=task.title), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<int:task_id>/draft")
@login_required
def task_draft(task_id: int):
    """Autosave from the page's script (CSRF token in the X-CSRFToken header); answers JSON."""
    view = tasks.task_form(current_user, task_id)
    draft = inspections.save_draft(current_user, view.task.inspection_id,
                                   from_html(view.form, view.context, request.form))
    return jsonify({"saved_at": clock.to_local(draft.saved_at).strftime("%H:%M:%S")})


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    tasks.claim(current_user, task_id)
    flash(_("已认领"), "success")
    return redirect(url_for("inbox.task_detail", task_id=task_id))


@bp.post("/tasks/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int):
    tasks.unclaim(current_user, task_id)
    flash(_("已退回部门待办"), "success")
    return redirect(url_for("inbox.index"))


def _uploads() -> list[evidence.Upload]:
    """Files named evidence.<checklist item id> (or plain evidence) from a multipart post."""
    found = []
    for name in request.files:
        if name != "evidence" and not name.startswith("evidence."):
            continue
        suffix = name.partition(".")[2]
        item_id = int(suffix) if suffix.isdigit() else None
        found += [evidence.Upload(item_id, f.filename or "", f.stream) for f in request.files.getlist(name) if f.filename]
    return found
