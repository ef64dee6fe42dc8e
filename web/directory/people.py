"""Expert edit page (admins) and officials' password page (admins; department admins for their own officials)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.directory import listings as directory
from services.directory import people
from services.errors import Forbidden, ValidationFailed
from web.form_errors import FormErrors, for_page
from web.directory.routes import bp


@bp.route("/experts/<int:expert_id>/edit", methods=["GET", "POST"])
@login_required
def expert_edit(expert_id: int):
    expert = directory.get_expert(expert_id)
    directory.require_editor(current_user)
    if request.method == "GET":
        return render_template("directory/expert_edit.html", expert=expert, values=None, errors=FormErrors(),
                               **directory.options())
    form = request.form
    try:
        people.update_expert(current_user, expert_id, name=form.get("name"), field=form.get("field"),
                             organisation=form.get("organisation"), cert_no=form.get("cert_no"),
                             region_id=form.get("region_id"), active=form.get("active") == "on")
    except ValidationFailed as exc:
        labels = {"name": _("姓名"), "cert_no": _("证件号"), "field": _("专业领域"), "organisation": _("工作单位"),
                  "region_id": _("所属地区")}
        return render_template("directory/expert_edit.html", expert=expert, values=form, errors=for_page(exc.errors, labels),
                               **directory.options()), 422
    flash(_("专家信息已保存"), "success")
    return redirect(url_for("directory.expert", expert_id=expert_id))


@bp.post("/experts/<int:expert_id>/account")
@login_required
def expert_account(expert_id: int):
    """An expert's login for the 会诊 (role expert); admins only, like every account."""
    try:
        people.open_expert_account(current_user, expert_id, username=request.form.get("username", ""),
                                   password=request.form.get("password", ""))
    except ValidationFailed as exc:
        errors = for_page(exc.errors, {"username": _("登录账号"), "password": _("初始密码"), "region": _("所属地区")})
        return render_template("directory/expert_edit.html", expert=directory.get_expert(expert_id), values=None,
                               errors=FormErrors(), account_errors=errors, **directory.options()), 422
    flash(_("专家的会诊登录账号已开通"), "success")
    return redirect(url_for("directory.expert", expert_id=expert_id))


@bp.route("/officials/<int:user_id>/password", methods=["GET", "POST"])
@login_required
def official_password(user_id: int):
    person = directory.get_official(user_id, current_user)
    if not people.can_set_password(current_user, person):
        raise Forbidden("只有系统管理员或本部门管理员可以设置该人员的密码")
    if request.method == "GET":
        return render_template("directory/official_password.html", person=person, errors=FormErrors())
    try:
        people.set_password(current_user, user_id, request.form.get("new", ""), request.form.get("confirm", ""))
    except ValidationFailed as exc:
        labels = {"new": _("新密码"), "confirm": _("再次输入新密码")}
        return render_template("directory/official_password.html", person=person, errors=for_page(exc.errors, labels)), 422
    flash(_("已为 %(name)s 设置新密码，请当面或通过安全渠道告知本人", name=person.display_name), "success")
    return redirect(url_for("directory.official", user_id=user_id))
