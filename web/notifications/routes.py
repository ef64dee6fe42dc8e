"""Notices: list, mark one or all read; a context processor feeds the header badge."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from services.workflow import notifications

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def unread_badge():
    # Lazy: only pages that render the header pay for the count query.
    if not current_user.is_authenticated:
        return {"unread_notifications": lambda: 0}
    return {"unread_notifications": lambda: notifications.unread_count(current_user)}


@bp.get("/")
@login_required
def index():
    unread_only = request.args.get("unread") == "1"
    return render_template("notifications/index.html", unread_only=unread_only,
                           groups=notifications.grouped(current_user, unread_only=unread_only))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    note = notifications.mark_read(current_user, notification_id)
    if request.form.get("open"):
        target = notifications.target(note)
        if target:
            return redirect(target)
        if note.campaign_id:
            return redirect(url_for("campaigns.detail", campaign_id=note.campaign_id))
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    notifications.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))
