"""Evidence files: served only to the people allowed to see them, never from the static folder."""
from flask import Blueprint, send_file
from flask_login import current_user, login_required

from services.stages import evidence

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


@bp.get("/<int:evidence_id>")
@login_required
def show(evidence_id: int):
    row, path = evidence.open_for(current_user, evidence_id)
    response = send_file(path, mimetype=row.mime, download_name=row.original_name,
                         as_attachment=row.mime == "application/pdf", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
