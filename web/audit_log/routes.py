"""The audit log's public checkpoints (no login): the chain head as published over time, as a page and as JSON."""
from flask import Blueprint, jsonify, render_template

from services import audit_checkpoints

bp = Blueprint("audit_log", __name__, url_prefix="/audit")


@bp.get("/checkpoints")
def checkpoints():
    return render_template("audit_log/checkpoints.html", checkpoints=audit_checkpoints.published())


@bp.get("/checkpoints.json")
def checkpoints_json():
    response = jsonify(audit_checkpoints.document(audit_checkpoints.published()))
    response.headers["Content-Disposition"] = "attachment; filename=audit-checkpoints.json"
    return response
