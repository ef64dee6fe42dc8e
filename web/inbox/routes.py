"""Officials' inbox: my tasks, my department's pool, and the task forms."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forms.loader import from_html
from services import tasks
from services.errors import ValidationFailed

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.get("/")
@login_required
def index():
    return render_template("inbox/index.html", boxes=tasks.inbox(current_user))


@bp.get("/tasks/<int:task_id>")
@login_required
def task_detail(task_id: int):
    view = tasks.task_form(current_user, task_id)
    return render_template("inbox/task.html", view=view, values=view.context.initial, errors={},
                           can_act=tasks.can_act(current_user, view.task))


@bp.post("/tasks/<int:task_id>")
@login_required
def task_submit(task_id: int):
    view = tasks.task_form(current_user, task_id)
    submission = from_html(view.form, view.context, request.form)
    try:
        tasks.complete(current_user, task_id, submission)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return render_template("inbox/task.html", view=tasks.task_form(current_user, task_id),
                               values=_flat(submission), errors=exc.errors, can_act=True), 422
    flash(f"已办理：{view.task.title}", "success")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    tasks.claim(current_user, task_id)
    flash("已认领", "success")
    return redirect(url_for("inbox.task_detail", task_id=task_id))


@bp.post("/tasks/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int):
    tasks.unclaim(current_user, task_id)
    flash("已退回部门待办", "success")
    return redirect(url_for("inbox.index"))


def _flat(submission: dict) -> dict:
    """Re-show what was typed: rows become {key: row} so the template can find each row's values."""
    return {k: ({row["key"]: row for row in v} if isinstance(v, list) and v and isinstance(v[0], dict) else v)
            for k, v in submission.items()}
