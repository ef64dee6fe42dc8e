"""Evidence files: served only to the people allowed to see them, never from the static folder."""
from flask import Blueprint
from flask_login import current_user, login_required

from services.stages import evidence
from web.uploads import evidence_file

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


@bp.get("/<int:evidence_id>")
@login_required
def show(evidence_id: int):
    row, path = evidence.open_for(current_user, evidence_id)
    return evidence_file(row, path)
