"""Upload page for imports (admins; department admins for their own officials)."""
import shutil
import tempfile
from pathlib import Path

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.imports import batch as imports
from services.errors import DomainError, Forbidden
from web.directory.routes import bp
from web.form_errors import for_page
from web.i18n import N_, known

KIND_LABELS = {"enterprises": N_("检查对象（经营主体）"), "officials": N_("执法检查人员"), "experts": N_("专家"),
               "credit": N_("信用风险分类刷新")}


def _page(report=None, error=None, status=200, form=None, filename=None):
    """The page; `error` (a refused file, in Chinese from the services) goes to the summary and beside the file
    control, and the chosen kind, options and the refused file's name stay."""
    errors = for_page({"file": [known(error)]} if error else None, {"kind": _("导入内容"), "file": _("文件（.csv 或 .xlsx）")})
    return render_template("directory/upload.html", report=report, errors=errors, kinds=KIND_LABELS, filename=filename,
                           limit_mb=current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024), form=form or {}), status


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload():
    if not current_user.has_role("admin", "department_admin"):
        raise Forbidden("只有系统管理员或部门管理员可以导入名录")
    if request.method == "GET":
        return _page()
    limit = current_app.config["IMPORT_MAX_BYTES"]
    # Checked before the body is parsed, so an oversized upload is refused without being stored.
    if (request.content_length or 0) > limit + 64 * 1024:
        return _page(error=f"文件过大：上传文件不能超过 {limit // (1024 * 1024)} MB；更大的文件请用命令行导入", status=413,
                     form=request.form)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _page(error="请选择要导入的 CSV 或 XLSX 文件", status=422, form=request.form)
    with tempfile.TemporaryDirectory(prefix="import-") as tmp:
        path = Path(tmp) / ("upload" + Path(upload_file.filename).suffix.lower()[:6])
        with open(path, "wb") as out:
            shutil.copyfileobj(upload_file.stream, out, 1024 * 1024)
        if path.stat().st_size > limit:
            return _page(error=f"文件过大：上传文件不能超过 {limit // (1024 * 1024)} MB", status=413, form=request.form,
                         filename=upload_file.filename)
        try:
            report = imports.run_import(current_user, request.form.get("kind", ""), path, filename=upload_file.filename,
                                        dry_run=request.form.get("dry_run") == "on",
                                        valid_only=request.form.get("valid_only") == "on")
        except Forbidden:
            raise
        except DomainError as exc:
            return _page(error=exc.message, status=422, form=request.form, filename=upload_file.filename)
    status = 200 if report.applied or (report.dry_run and not report.error_count) else 422
    return _page(report=report, status=status, form=request.form)
