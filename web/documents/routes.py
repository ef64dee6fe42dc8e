"""Enforcement documents: issue from an inspection, view, download the PDF, void with a reason."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.documents import issuing, numbering, signatures
from services.errors import ValidationFailed
from services.stages import evidence
from web.form_errors import for_page
from web.i18n import N_

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.get("/inspections/<int:inspection_id>")
@login_required
def for_inspection(inspection_id: int):
    return render_template("documents/list.html", inspection_id=inspection_id, kinds=numbering.KINDS,
                           documents=issuing.for_inspection(current_user, inspection_id),
                           subjects=issuing.subjects(current_user, inspection_id))


@bp.post("/inspections/<int:inspection_id>")
@login_required
def issue(inspection_id: int):
    kind = request.form.get("kind", "")
    subject = request.form.get(f"subject_{kind}", type=int)
    document = issuing.issue(current_user, inspection_id, kind, subject)
    flash(_("已出具文书：%(number)s", number=document.number), "success")
    return redirect(url_for("documents.show", document_id=document.id))


@bp.get("/<int:document_id>")
@login_required
def show(document_id: int):
    document = issuing.get(current_user, document_id)
    return render_template("documents/show.html", document=document, kinds=numbering.KINDS,
                           body=issuing.body(document), signatures=signatures.for_document(document.id))


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


SIGN_LABELS = {"signer": N_("签字人姓名"), "signature": N_("签名"), "photo": N_("签字文书照片")}


@bp.get("/<int:document_id>/sign")
@login_required
def sign_page(document_id: int):
    return render_template("documents/sign.html", document=issuing.get(current_user, document_id),
                           kinds=numbering.KINDS, errors=None)


@bp.post("/<int:document_id>/sign")
@login_required
def sign(document_id: int):
    """The signature pad's PNG, or (with a file) a photo of the signed paper."""
    photo = request.files.get("photo")
    try:
        if photo is not None and photo.filename:
            upload = evidence.Upload(None, photo.filename, photo.stream)
            signatures.attach_photo(current_user, document_id, upload, request.form.get("signer", ""))
        else:
            signatures.sign_on_pad(current_user, document_id, request.form.get("signature", ""),
                                   request.form.get("signer", ""))
    except ValidationFailed as exc:
        labels = {name: _(label) for name, label in SIGN_LABELS.items()}
        return render_template("documents/sign.html", document=issuing.get(current_user, document_id),
                               kinds=numbering.KINDS, errors=for_page(exc.errors, labels)), 422
    flash(_("已登记被检查单位代表的签字"), "success")
    return redirect(url_for("documents.show", document_id=document_id))
