"""Stored BPMN/DMN files as responses: always a download, never a document the browser renders.

A model is designer-supplied XML. Served as application/xml on our origin, a browser would render it, and any
XHTML/SVG inside (refused at deploy since services/designer/sanitise.py, but older versions are stored as they
were) would run with our cookies. As an octet-stream attachment under a sandboxing CSP it is inert; the
modeler and the campaign diagram read it with fetch(), which ignores both.
"""
from flask import Response

MODEL_CSP = "sandbox; default-src 'none'"


def model_response(xml: str, filename: str) -> Response:
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in filename)[:120] or "model.xml"
    return Response(xml, mimetype="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{safe_name}"',
                             "Content-Security-Policy": MODEL_CSP, "X-Content-Type-Options": "nosniff"})
