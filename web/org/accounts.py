"""Accounts (admins, within their subtree): create, disable, reset a password, 执法证."""
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.errors import ValidationFailed
from services.org import accounts, structure
from web.org.routes import bp


def _date(name: str) -> date | None:
    raw = request.form.get(name, "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationFailed({name: ["日期格式应为 YYYY-MM-DD"]}) from None


@bp.route("/accounts/new", methods=["GET", "POST"])
@login_required
def account_new():
    structure.require_admin(current_user)
    options = {"regions": structure.regions(current_user), "departments": structure.departments(current_user),
               "roles": accounts.ROLE_NAMES}
    if request.method == "GET":
        return render_template("org/account_new.html", errors={}, form={}, chosen_roles=[], **options)
    try:
        user = accounts.create_account(
            current_user, username=request.form.get("username", ""), password=request.form.get("password", ""),
            roles=request.form.getlist("roles"), display_name=request.form.get("display_name"),
            region_code=request.form.get("region_code") or None, department=request.form.get("department") or None,
            cert_no=request.form.get("cert_no", "").strip() or None, cert_valid_until=_date("cert_valid_until"))
    except ValidationFailed as exc:
        return render_template("org/account_new.html", errors=exc.errors, form=request.form,
                               chosen_roles=request.form.getlist("roles"), **options), 422
    flash(_("已创建账号 %(username)s", username=user.username), "success")
    return redirect(url_for("org.account", user_id=user.id))


def _account_page(user_id: int, errors: dict | None = None, status: int = 200):
    structure.require_admin(current_user)
    return render_template("org/account.html", person=accounts.get_account(current_user, user_id),
                           roles=accounts.ROLE_NAMES, errors=errors or {}, form=request.form,
                           open_tasks=accounts.open_tasks(current_user, user_id),
                           departments=structure.departments(current_user)), status


@bp.get("/accounts/<int:user_id>")
@login_required
def account(user_id: int):
    return _account_page(user_id)


@bp.post("/accounts/<int:user_id>/disable")
@login_required
def account_disable(user_id: int):
    try:
        result = accounts.disable_account(current_user, user_id, request.form.get("reassign_to") or None)
    except ValidationFailed as exc:
        return _account_page(user_id, exc.errors, 422)
    if result["reassigned_to"]:
        flash(_("账号已停用，%(n)s 件未办结任务已转交 %(name)s", n=len(result["tasks"]),
                name=result["reassigned_to"].display_name), "success")
    else:
        flash(_("账号已停用，%(n)s 件未办结任务已退回部门任务池", n=len(result["tasks"])), "success")
    return redirect(url_for("org.account", user_id=user_id))


@bp.post("/accounts/<int:user_id>/move")
@login_required
def account_move(user_id: int):
    try:
        result = accounts.move_account(current_user, user_id, department=request.form.get("department", ""),
                                       reassign_to=request.form.get("reassign_to") or None)
    except ValidationFailed as exc:
        return _account_page(user_id, exc.errors, 422)
    flash(_("已调入 %(department)s，%(n)s 件未办结任务已转交原部门同事", department=result["department"].name,
            n=len(result["tasks"])), "success")
    return redirect(url_for("org.account", user_id=user_id))


@bp.post("/accounts/<int:user_id>/password")
@login_required
def account_password(user_id: int):
    try:
        accounts.reset_password(current_user, user_id, request.form.get("password", ""))
    except ValidationFailed as exc:
        return _account_page(user_id, exc.errors, 422)
    flash(_("密码已重置，该用户下次登录须修改密码"), "success")
    return redirect(url_for("org.account", user_id=user_id))


@bp.post("/accounts/<int:user_id>/certificate")
@login_required
def account_certificate(user_id: int):
    try:
        accounts.set_certificate(current_user, user_id, cert_no=request.form.get("cert_no"),
                                 valid_until=_date("cert_valid_until"),
                                 suspended=request.form.get("cert_suspended") == "on")
    except ValidationFailed as exc:
        return _account_page(user_id, exc.errors, 422)
    flash(_("执法证信息已保存"), "success")
    return redirect(url_for("org.account", user_id=user_id))
