"""Evidence files: read from a multipart post as the services take them (the inbox form, the API), and served
back to whoever the services allow."""
from flask import Response, request, send_file

from services.stages import evidence


def task_uploads() -> list[evidence.Upload]:
    """Files named evidence.<checklist item id> (or plain evidence, not tied to an item)."""
    return evidence_uploads(".", plain=True)


def evidence_uploads(separator: str, plain: bool) -> list[evidence.Upload]:
    """Files named evidence<separator><checklist item id>, several per item; with `plain`, also `evidence` (and
    any other suffix) for files tied to no item."""
    found = []
    for name in request.files:
        suffix = name.removeprefix("evidence" + separator)
        tied = suffix != name
        if not ((plain and (name == "evidence" or tied)) or (tied and suffix.isdigit())):
            continue
        item_id = int(suffix) if suffix.isdigit() else None
        found += [evidence.Upload(item_id, f.filename or "", f.stream) for f in request.files.getlist(name) if f.filename]
    return found


def evidence_file(row, path) -> Response:
    """A stored evidence file (photo or PDF) for the one person allowed to see it: a PDF as a download, an image
    inline; never kept by a cache, since it belongs to one case."""
    response = send_file(path, mimetype=row.mime, download_name=row.original_name,
                         as_attachment=row.mime == "application/pdf", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
