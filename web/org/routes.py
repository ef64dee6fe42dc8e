"""Regions, departments and the org-chart import (admins, within their subtree)."""
import tempfile
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from domain import department_types
from services.errors import ValidationFailed
from services.imports.files import ImportRefused
from services.org import accounts as account_service
from services.org import org_import, structure

bp = Blueprint("org", __name__, url_prefix="/org")
# The workbook's sheets and their columns (Chinese: they are the file format, shown as such in both languages).
_SHEETS = [(label, [aliases[0] for aliases in columns.values()]) for label, columns in org_import.SHEETS.values()]

# The only pages a user whose password an admin reset may open before choosing their own.
_OPEN_WHILE_RESET = {"auth.password", "auth.logout", "static", "i18n.switch"}


@bp.before_app_request
def _password_change_first():
    if current_user.is_authenticated and current_user.must_change_password \
            and request.endpoint not in _OPEN_WHILE_RESET and request.blueprint not in ("vendor", "api"):
        flash(_("管理员已重置您的密码，请先设置新密码"), "warning")
        return redirect(url_for("auth.password"))
    return None


def _overview(errors: dict | None = None, status: int = 200, which: str = ""):
    """The overview; `which` names the form (region / department) whose errors and input are shown again."""
    structure.require_admin(current_user)
    return render_template("org/index.html", regions=structure.regions(current_user),
                           departments=structure.departments(current_user),
                           accounts=account_service.accounts(current_user), types=department_types.TYPES,
                           roles=account_service.ROLE_NAMES, errors=errors or {}, form=request.form,
                           which=which), status


@bp.get("/")
@login_required
def index():
    return _overview()


@bp.post("/regions")
@login_required
def region_create():
    try:
        region = structure.create_region(current_user, request.form.get("code", ""), request.form.get("name", ""),
                                         request.form.get("parent_code"))
    except ValidationFailed as exc:
        return _overview(exc.errors, 422, "region")
    flash(_("已新增区划 %(name)s（%(code)s）", name=region.name, code=region.code), "success")
    return redirect(url_for("org.index"))


@bp.post("/regions/<int:region_id>")
@login_required
def region_rename(region_id: int):
    try:
        region = structure.rename_region(current_user, region_id, request.form.get("name", ""))
    except ValidationFailed as exc:
        return _overview(exc.errors, 422, "rename")
    flash(_("已更名为 %(name)s", name=region.name), "success")
    return redirect(url_for("org.index"))


@bp.post("/departments")
@bp.post("/departments/<int:department_id>")
@login_required
def department_save(department_id: int | None = None):
    try:
        department = structure.save_department(
            current_user, code=request.form.get("code", ""), name=request.form.get("name", ""),
            region_id=request.form.get("region_id", type=int), kind=request.form.get("type", ""),
            department_id=department_id)
    except ValidationFailed as exc:
        return _overview(exc.errors, 422, "department")
    flash(_("已保存部门 %(name)s", name=department.name), "success")
    return redirect(url_for("org.index"))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_chart():
    structure.require_admin(current_user)
    if request.method == "GET":
        return render_template("org/import.html", report=None, sheets=_SHEETS)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("org/import.html", report=None, sheets=_SHEETS,
                               problem=_("请选择 XLSX 文件")), 422
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.filename).name
        upload.save(path)
        try:
            report = org_import.run(current_user, path, dry_run=bool(request.form.get("dry_run")),
                                    valid_only=bool(request.form.get("valid_only")))
        except ImportRefused as exc:
            return render_template("org/import.html", report=None, sheets=_SHEETS, problem=exc.message), 422
    return (render_template("org/import.html", report=report, sheets=_SHEETS),
            200 if report.applied or report.dry_run else 422)
