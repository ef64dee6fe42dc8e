"""Directory pages: enterprises, officials, experts; listings, details, XLSX export, edits."""
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.directory import conflicts
from services.directory import history as enterprise_changes
from services.directory import listings as directory
from services.directory import export as directory_export
from services.directory import people
from services.portal import outbox
from services.errors import ValidationFailed
from web.form_errors import for_page

bp = Blueprint("directory", __name__, url_prefix="/directory")


def page_args() -> tuple[int, int]:
    def number(name, default):
        value = request.args.get(name, "")
        return int(value) if value.isdigit() else default
    return number("page", 1), number("per_page", directory.PER_PAGE)


def xlsx(stream, name: str):
    return send_file(stream, mimetype=directory_export.XLSX_MIME, as_attachment=True, download_name=name)


@bp.get("/")
@login_required
def index():
    return redirect(url_for("directory.enterprises"))


@bp.get("/enterprises")
@login_required
def enterprises():
    filters = directory.enterprise_filters(request.args, current_user)
    page = directory.search_enterprises(filters, *page_args())
    return render_template("directory/enterprises.html", page=page, filters=filters, **directory.options(current_user))


@bp.get("/enterprises.xlsx")
@login_required
def enterprises_xlsx():
    return xlsx(directory_export.enterprises(directory.enterprise_filters(request.args, current_user)), "enterprises.xlsx")


@bp.get("/enterprises/<int:enterprise_id>")
@login_required
def enterprise(enterprise_id: int):
    return render_template("directory/enterprise.html", history=directory.enterprise_history(current_user, enterprise_id),
                           changes=enterprise_changes.changes_of(enterprise_id), baseline=enterprise_changes.BASELINE,
                           messages=outbox.for_enterprise(current_user, enterprise_id), hidden_kinds=outbox.HIDDEN_KINDS)


@bp.get("/officials")
@login_required
def officials():
    filters = directory.official_filters(request.args, current_user)
    page = directory.search_officials(filters, *page_args())
    return render_template("directory/officials.html", page=page, filters=filters,
                           conflicts=conflicts.counts(conflicts.OFFICER, [u.id for u in page.items]),
                           **directory.options(current_user))


@bp.get("/officials.xlsx")
@login_required
def officials_xlsx():
    return xlsx(directory_export.officials(directory.official_filters(request.args, current_user)), "officials.xlsx")


@bp.get("/officials/<int:user_id>")
@login_required
def official(user_id: int, errors: dict | None = None, status: int = 200):
    person = directory.get_official(user_id, current_user)
    return render_template("directory/official.html", person=person,
                           conflict_rows=conflicts.of(conflicts.OFFICER, user_id),
                           can_edit=directory.can_edit(current_user, person.department_id),
                           can_set_password=people.can_set_password(current_user, person),
                           errors=for_page(errors, {"cert_no": _("执法证号"), "uscc": _("经营主体统一社会信用代码")}),
                           form=request.form if errors else {}), status


@bp.post("/officials/<int:user_id>")
@login_required
def official_update(user_id: int):
    try:
        directory.update_official(current_user, user_id, specialties=request.form.get("specialties"),
                                  active=request.form.get("active") == "on", cert_no=request.form.get("cert_no"))
    except ValidationFailed as exc:
        return official(user_id, exc.errors, 422)
    flash(_("人员信息已保存"), "success")
    return redirect(url_for("directory.official", user_id=user_id))


@bp.post("/officials/<int:user_id>/conflicts")
@login_required
def official_conflict(user_id: int):
    return _declare_conflict(conflicts.OFFICER, user_id, official, _("利害关系已登记，抽取时将自动回避"),
                             url_for("directory.official", user_id=user_id))


def _declare_conflict(holder: conflicts.Holder, owner_id: int, person_page, done: str, back: str):
    """An officer's or an expert's declaration: a refused one shows the person's page again with what was typed."""
    try:
        conflicts.declare(current_user, holder, owner_id, request.form.get("uscc", ""), request.form.get("reason"))
    except ValidationFailed as exc:
        return person_page(owner_id, exc.errors, 422)
    flash(done, "success")
    return redirect(back)


@bp.get("/experts")
@login_required
def experts():
    filters = directory.expert_filters(request.args)
    page = directory.search_experts(filters, *page_args())
    return render_template("directory/experts.html", page=page, filters=filters,
                           conflicts=conflicts.counts(conflicts.EXPERT, [x.id for x in page.items]))


@bp.get("/experts/<int:expert_id>")
@login_required
def expert(expert_id: int, errors: dict | None = None, status: int = 200):
    found = directory.get_expert(expert_id)
    return render_template("directory/expert.html", expert=found, expert_region=people.expert_region(found),
                           conflict_rows=conflicts.of(conflicts.EXPERT, expert_id),
                           can_edit=directory.can_edit(current_user),
                           errors=for_page(errors, {"uscc": _("经营主体统一社会信用代码")}),
                           form=request.form if errors else {}), status


@bp.post("/experts/<int:expert_id>/conflicts")
@login_required
def expert_conflict(expert_id: int):
    return _declare_conflict(conflicts.EXPERT, expert_id, expert, _("利害关系已登记，抽取专家时将自动回避"),
                             url_for("directory.expert", expert_id=expert_id))


@bp.get("/experts.xlsx")
@login_required
def experts_xlsx():
    return xlsx(directory_export.experts(directory.expert_filters(request.args)), "experts.xlsx")
