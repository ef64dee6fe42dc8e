"""Enforcement documents: issue from an inspection, view, download the PDF, void with a reason."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.documents import issuing, numbering

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.get("/inspections/<int:inspection_id>")
@login_required
def for_inspection(inspection_id: int):
    return render_template("documents/list.html", inspection_id=inspection_id, kinds=numbering.KINDS,
                           documents=issuing.for_inspection(current_user, inspection_id))


@bp.post("/inspections/<int:inspection_id>")
@login_required
def issue(inspection_id: int):
    document = issuing.issue(current_user, inspection_id, request.form.get("kind", ""))
    flash(_("已出具文书：%(number)s", number=document.number), "success")
    return redirect(url_for("documents.show", document_id=document.id))


@bp.get("/<int:document_id>")
@login_required
def show(document_id: int):
    return render_template("documents/show.html", document=issuing.get(current_user, document_id),
                           kinds=numbering.KINDS)


@bp.get("/<int:document_id>.pdf")
@login_required
def pdf(document_id: int):
    document, content = issuing.pdf(current_user, document_id)
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f"inline; filename=document-{document.id}.pdf"})


@bp.post("/<int:document_id>/void")
@login_required
def void(document_id: int):
    document = issuing.void(current_user, document_id, request.form.get("reason", ""))
    flash(_("文书 %(number)s 已作废，文号不再使用", number=document.number), "success")
    return redirect(url_for("documents.show", document_id=document.id))
