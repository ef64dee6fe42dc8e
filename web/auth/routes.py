"""Login and logout."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user, current_user

from services import audit, auth
from services.directory import people
from services.errors import ValidationFailed
from extensions import db
from web.form_errors import FormErrors, for_page
from web.ops.limits import login_limits

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    if request.method == "POST":
        user = auth.authenticate(request.form.get("username", ""), request.form.get("password", ""))
        if user is None:
            flash(_("用户名或密码错误"), "error")
            return render_template("auth/login.html"), 401
        login_user(user)
        audit.record(user, "auth.login", "user", user.id)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html")


@bp.post("/logout")
@login_required
def logout():
    audit.record(current_user, "auth.logout", "user", current_user.id)
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """A logged-in user changes their own password (the current one is required)."""
    if request.method == "GET":
        return render_template("auth/password.html", errors=FormErrors())
    try:
        people.change_password(current_user, request.form.get("current", ""), request.form.get("new", ""),
                               request.form.get("confirm", ""))
    except ValidationFailed as exc:
        labels = {"current": _("当前密码"), "new": _("新密码"), "confirm": _("再次输入新密码")}
        return render_template("auth/password.html", errors=for_page(exc.errors, labels)), 422
    flash(_("密码已修改"), "success")
    return redirect(url_for("inbox.index"))


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: an open redirect would make phishing easy.
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.index")
