"""一户一档 (the enterprise's file) and the admin's document templates: pages on the documents blueprint."""
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.documents import archive, numbering, templates
from services.errors import ValidationFailed
from web.documents.routes import bp
from web.form_errors import for_page
from web.i18n import N_


@bp.get("/enterprises/<int:enterprise_id>/archive")
@login_required
def archive_page(enterprise_id: int):
    return render_template("documents/archive.html", archive=archive.of(current_user, enterprise_id),
                           kinds=numbering.KINDS)


@bp.get("/enterprises/<int:enterprise_id>/archive.zip")
@login_required
def archive_zip(enterprise_id: int):
    enterprise, content = archive.zip_bytes(current_user, enterprise_id)
    return Response(content, mimetype="application/zip", headers={
        "Content-Disposition": f"attachment; filename=archive-{enterprise.uscc}.zip"})


TEMPLATE_LABELS = {"body": N_("模板内容"), "kind": N_("文书"), "note": N_("修改说明")}


@bp.route("/templates", methods=["GET", "POST"])
@login_required
def template_editor():
    regions = templates.editable_regions(current_user)
    region_id = request.values.get("region_id", type=int) or (regions[0].id if regions else 0)
    kind = request.values.get("kind") if request.values.get("kind") in numbering.KINDS else "inspection_record"
    errors, source = None, None
    if request.method == "POST":
        source = request.form.get("body", "")
        try:
            saved = templates.save(current_user, region_id, kind, source, request.form.get("note"))
        except ValidationFailed as exc:
            errors = for_page(exc.errors, {name: _(label) for name, label in TEMPLATE_LABELS.items()})
        else:
            flash(_("模板已保存为第 %(version)s 版", version=saved.version), "success")
            return redirect(url_for("documents.template_editor", region_id=region_id, kind=kind))
    view = templates.editor(current_user, region_id, kind)
    return render_template("documents/templates.html", regions=regions, region_id=region_id, kind=kind,
                           kinds=numbering.KINDS, view=view, source=source if source is not None else view.source,
                           errors=errors), 422 if errors else 200
