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
from services.workflow import task_views
from services.workflow import tasks
from services.errors import ValidationFailed
from web.form_errors import FormErrors, for_task_form
from web.uploads import task_uploads

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
    try:  # files first, all or nothing, kept even if the form itself needs fixing; the form then lists them
        tasks.attach_evidence(current_user, task_id, task_uploads())
    except ValidationFailed as exc:
        return _refused(tasks.task_form(current_user, task_id), exc, key)
    view = tasks.task_form(current_user, task_id)  # the one form context of this request
    submission = from_html(view.form, view.context, request.form)
    try:
        if request.form.get("action") == "draft":
            tasks.save_draft(current_user, task_id, submission)
            flash(_("草稿已保存"), "success")
            return redirect(url_for("inbox.task_detail", task_id=task_id))
        if key:
            tasks.complete_with_key(current_user, task_id, submission, key, view)
        else:
            tasks.complete(current_user, task_id, submission, view)
    except ValidationFailed as exc:
        return _refused(view, exc, key, submission)
    return _completed(view.task)


def _refused(view, exc: ValidationFailed, key: str | None, submission: dict | None = None):
    """The form again with what was typed and the errors beside their fields (no flash: the summary says it)."""
    if submission is None:
        submission = from_html(view.form, view.context, request.form)
    return render_template("inbox/task.html", view=view, values=rows_by_key(view.form, submission),
                           errors=for_task_form(view.form, view.context, exc.errors), can_act=True,
                           completion_key=key or uuid.uuid4().hex,
                           about=task_views.describe([view.task], current_user)[0]), 422


def _completed(task):
    flash(_("已办理：%(title)s", title=task.title), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<int:task_id>/draft")
@login_required
def task_draft(task_id: int):
    """Autosave from the page's script (CSRF token in the X-CSRFToken header); answers JSON."""
    view = tasks.task_form(current_user, task_id)
    saved_at = tasks.save_draft(current_user, task_id, from_html(view.form, view.context, request.form))
    return jsonify({"saved_at": clock.to_local(saved_at).strftime("%H:%M:%S")})


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
