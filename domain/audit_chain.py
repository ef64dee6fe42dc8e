"""The audit hash chain: canonical form of a record and its SHA-256 (pure, no database).

The canonical form is JSON with sorted keys, no whitespace and UTF-8 text, over the
fields that make up the record plus the previous record's hash; so changing any field,
reordering records or removing one changes a hash a verifier recomputes.
"""
import hashlib
import json
from datetime import datetime

FIELDS = ("seq", "at", "actor_id", "action", "object_type", "object_id", "campaign_id", "detail", "prev_hash")


def normalise_detail(detail: dict) -> dict:
    """What the JSON column will give back: tuples become lists, keys strings, dates ISO strings."""
    return json.loads(json.dumps(detail, default=str, ensure_ascii=False))


def canonical(fields: dict) -> bytes:
    values = {name: fields[name] for name in FIELDS}
    at = values["at"]
    if isinstance(at, datetime):
        # Naive UTC with microseconds (models.base convention); both databases keep microseconds.
        values["at"] = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(fields: dict) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()
