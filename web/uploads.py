"""Evidence files from a multipart post, as the services take them; shared by the inbox form and the API."""
from flask import request

from services.stages import evidence


def task_uploads() -> list[evidence.Upload]:
    """Files named evidence.<checklist item id> (or plain evidence, not tied to an item)."""
    found = []
    for name in request.files:
        if name != "evidence" and not name.startswith("evidence."):
            continue
        suffix = name.partition(".")[2]
        item_id = int(suffix) if suffix.isdigit() else None
        found += [evidence.Upload(item_id, f.filename or "", f.stream) for f in request.files.getlist(name) if f.filename]
    return found
