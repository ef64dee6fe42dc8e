"""Login and logout."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user, current_user

from services import auth
from services.directory import people
from services.errors import ValidationFailed
from services.workflow import clock
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
        auth.log_in(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html")


@bp.post("/logout")
@login_required
def logout():
    auth.log_out(current_user._get_current_object())
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
    login_user(current_user._get_current_object())  # this browser goes on under the new session version
    flash(_("密码已修改，其他设备上的登录和所有访问令牌已失效"), "success")
    return redirect(url_for("inbox.index"))


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: an open redirect would make phishing easy.
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.index")


@bp.get("/tokens")
@login_required
def tokens():
    """The user's own API tokens: when each was created, when it expires, when it was last used."""
    return _tokens_page(current_user)


@bp.get("/users/<int:user_id>/tokens")
@login_required
def user_tokens(user_id: int):
    """An admin looks at (and may revoke) another user's tokens."""
    return _tokens_page(people.get_user(user_id))


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    row = auth.revoke_token(current_user, token_id)
    flash(_("访问令牌已撤销"), "success")
    if row.user_id == current_user.id:
        return redirect(url_for("auth.tokens"))
    return redirect(url_for("auth.user_tokens", user_id=row.user_id))


def _tokens_page(owner):
    return render_template("auth/tokens.html", owner=owner, tokens=auth.tokens_of(current_user, owner.id),
                           now=clock.now())
