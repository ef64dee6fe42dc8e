"""Evidence files from a multipart post, as the services take them; shared by the inbox form and the API."""
from flask import request

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
