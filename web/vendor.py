"""Front-end packages installed by npm (package.json), served locally: no CDN, nothing fetched at run time."""
from pathlib import Path

from flask import Blueprint, abort, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")
NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
# Only these files are served, never an arbitrary path under node_modules.
ALLOWED = {
    "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "bpmn-js/dist/assets/diagram-js.css",
    "bpmn-js/dist/assets/bpmn-js.css",
    "bpmn-js/dist/assets/bpmn-font/css/bpmn.css",
    "bpmn-js/dist/assets/bpmn-font/font/bpmn.woff",
    "bpmn-js/dist/assets/bpmn-font/font/bpmn.woff2",
    # dmn-js (the designer's decision-table editor)
    "dmn-js/dist/assets/diagram-js.css",
    "dmn-js/dist/assets/dmn-js-shared.css",
    "dmn-js/dist/assets/dmn-js-drd.css",
    "dmn-js/dist/assets/dmn-js-decision-table.css",
    "dmn-js/dist/assets/dmn-js-decision-table-controls.css",
    "dmn-js/dist/assets/dmn-js-literal-expression.css",
    "dmn-js/dist/assets/dmn-font/css/dmn.css",
    "dmn-js/dist/assets/dmn-font/font/dmn.woff",
    "dmn-js/dist/assets/dmn-font/font/dmn.woff2",
}


@bp.get("/<path:name>")
def asset(name: str):
    if name not in ALLOWED or not (NODE_MODULES / name).is_file():
        abort(404)
    return send_from_directory(NODE_MODULES, name, max_age=86400)
