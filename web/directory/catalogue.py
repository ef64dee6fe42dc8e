"""Catalogue pages: matters per department, industries, consolidation, checklist, manual and their edits."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.directory import catalogue
from services.directory import listings as directory
from services.directory import export as directory_export
from services.errors import ValidationFailed
from web.form_errors import FormErrors, for_page
from web.directory.routes import bp, xlsx


@bp.get("/matters")
@login_required
def matters():
    department_id = request.args.get("department_id", type=int)
    q = (request.args.get("q") or "").strip() or None
    return render_template("directory/matters.html", matters=catalogue.list_matters(department_id, q),
                           department_id=department_id, q=q, **directory.options())


@bp.get("/matters.xlsx")
@login_required
def matters_xlsx():
    items = catalogue.list_matters(request.args.get("department_id", type=int),
                                   (request.args.get("q") or "").strip() or None)
    return xlsx(directory_export.matters(items), "matters.xlsx")


def _matter_form(matter=None, errors=None, form=None, status=200):
    if matter is None and form is None and current_user.department_id:
        form = {"department_id": str(current_user.department_id), "method": catalogue.METHODS[0], "active": "on"}
    linked = catalogue.matter_industries(matter.id) if matter else []
    labels = {"code": _("事项编码"), "department_id": _("部门"), "name": _("事项名称"),
              "legal_basis": _("法律依据（法律法规及条款）"), "method": _("检查方式"), "industry_ids": _("适用行业")}
    return render_template("directory/matter_form.html", matter=matter, errors=for_page(errors, labels), form=form,
                           linked=linked, methods=catalogue.METHODS, **directory.options()), status


def _matter_data(form) -> dict:
    return {"code": form.get("code"), "name": form.get("name"), "legal_basis": form.get("legal_basis"),
            "method": form.get("method"), "requirement": form.get("requirement"),
            "department_id": form.get("department_id"), "active": form.get("active") == "on",
            "industry_ids": form.getlist("industry_ids"),
            "leniency_basis": form.get("leniency_basis"), "leniency_months": form.get("leniency_months")}


@bp.route("/matters/new", methods=["GET", "POST"])
@login_required
def matter_new():
    directory.require_editor(current_user, current_user.department_id)
    if request.method == "GET":
        return _matter_form()
    try:
        matter = catalogue.save_matter(current_user, _matter_data(request.form))
    except ValidationFailed as exc:
        return _matter_form(None, exc.errors, request.form, 422)
    flash(_("监管事项已新增"), "success")
    return redirect(url_for("directory.matter_edit", matter_id=matter.id))


@bp.route("/matters/<int:matter_id>", methods=["GET", "POST"])
@login_required
def matter_edit(matter_id: int):
    matter = catalogue.get_matter(matter_id)
    if request.method == "GET":
        return _matter_form(matter)
    try:
        catalogue.save_matter(current_user, _matter_data(request.form), matter_id)
    except ValidationFailed as exc:
        return _matter_form(matter, exc.errors, request.form, 422)
    flash(_("监管事项已保存"), "success")
    return redirect(url_for("directory.matter_edit", matter_id=matter_id))


@bp.route("/industries", methods=["GET", "POST"])
@login_required
def industries():
    errors, status = None, 200
    if request.method == "POST":
        try:
            industry = catalogue.save_industry(current_user, request.form)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            flash(_("已新增行业 %(code)s %(name)s", code=industry.code, name=industry.name), "success")
            return redirect(url_for("directory.industries"))
    return render_template("directory/industries.html", industries=catalogue.list_industries(),
                           errors=for_page(errors, {"code": _("行业代码"), "name": _("行业名称")}),
                           form=request.form, section=catalogue.section_label), status


@bp.get("/consolidation")
@login_required
def consolidation():
    return render_template("directory/consolidation.html", c=catalogue.consolidation())


@bp.get("/industries/<int:industry_id>")
@login_required
def checklist(industry_id: int):
    number = request.args.get("revision", type=int)
    return render_template("directory/checklist.html", industry=catalogue.get_industry(industry_id),
                           revision=catalogue.checklist(industry_id, number),
                           revisions=catalogue.revisions(industry_id),
                           can_edit=current_user.has_role("admin", "department_admin"))


@bp.get("/industries/<int:industry_id>/checklist.xlsx")
@login_required
def checklist_xlsx(industry_id: int):
    number = request.args.get("revision", type=int)
    industry = catalogue.get_industry(industry_id)
    return xlsx(directory_export.checklist(catalogue.checklist(industry_id, number)), f"checklist-{industry.code}.xlsx")


@bp.get("/industries/<int:industry_id>/manual")
@login_required
def manual(industry_id: int):
    industry, revision, sections = catalogue.manual(industry_id)
    return render_template("directory/manual.html", industry=industry, revision=revision, sections=sections)


@bp.route("/industries/<int:industry_id>/checklist/edit", methods=["GET", "POST"])
@login_required
def checklist_edit(industry_id: int):
    directory.require_editor(current_user, current_user.department_id)
    industry, revision = catalogue.get_industry(industry_id), catalogue.checklist(industry_id)
    errors, status = FormErrors(), 200
    if request.method == "POST":
        count = request.form.get("count", type=int) or 0
        items = [{"matter_id": request.form.get(f"matter_{i}"), "text": request.form.get(f"text_{i}")}
                 for i in range(1, min(count, 500) + 1)]
        try:
            new = catalogue.revise_checklist(current_user, industry_id, items, request.form.get("note"))
        except ValidationFailed as exc:
            labels = {"items": _("检查清单"), **{f"items.{n}": _("第 %(n)s 行", n=n) for n in range(1, len(items) + 1)}}
            errors, status = for_page(exc.errors, labels), 422
        else:
            flash(_("已生成检查清单第 %(n)s 版；已发起的检查活动仍使用原版本", n=new.number), "success")
            return redirect(url_for("directory.checklist", industry_id=industry_id))
    return render_template("directory/checklist_edit.html", industry=industry, revision=revision,
                           errors=errors, blank_rows=3), status
