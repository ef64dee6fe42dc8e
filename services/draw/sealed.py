"""Draw v3 storage: anonymised lists sealed with server-side salts, and the draw recomputed from them.

What the database keeps for a v3 draw (the `snapshot` blob, never public): every candidate's USCC with its
salt in list order, and the salt of the people digest. What is public is the commitment document
(counts and Merkle roots per class, parameters, the salted people digest, the named public value) and,
once the auditor has entered that value, the seed and the drawn positions (services/draw/disclosure.py).
"""
import json
import secrets
import zlib
from datetime import timedelta

from flask import current_app

from domain import draw as v2
from domain import draw_v3
from models import Draw
from services.workflow import clock

SALT_BYTES = 16


def seal(candidates: dict[str, list[str]], people: dict, params: dict,
         contributions: dict | None = None) -> tuple[dict, dict, bytes]:
    """Salt every candidate, fix the public value's date, bind the departments' contribution commitments;
    returns (commitment document, lists, blob)."""
    lists = draw_v3.class_lists({c: [(u, secrets.token_bytes(SALT_BYTES)) for u in v] for c, v in candidates.items()})
    people_salt = secrets.token_bytes(SALT_BYTES)
    beacon = {"source": current_app.config["DRAW_BEACON_SOURCE"], "date": beacon_date().isoformat()}
    document = draw_v3.commitment_document(params, lists, people, people_salt, beacon, contributions)
    blob = zlib.compress(v2.canonical_json({
        "classes": {c: [[u, s.hex()] for u, s in v] for c, v in lists.items()}, "people_salt": people_salt.hex()}), 6)
    return document, lists, blob


def beacon_date():
    """The first day whose lottery result nobody can know when the commitment is fixed."""
    return clock.local_date(clock.now()) + timedelta(days=current_app.config["DRAW_BEACON_DAYS"])


def load(record: Draw) -> tuple[dict[str, list[tuple[str, bytes]]], bytes]:
    data = json.loads(zlib.decompress(record.snapshot))
    return ({c: [(u, bytes.fromhex(s)) for u, s in v] for c, v in data["classes"].items()},
            bytes.fromhex(data["people_salt"]))


def run(record: Draw) -> dict:
    lists, _ = load(record)
    return draw_v3.run(record.commitment_doc, lists, record.people, bytes.fromhex(record.seed))


def positions_of(record: Draw) -> dict[str, list[int]] | None:
    """The drawn positions per class as recorded (from the stored rows, not recomputed), in draw order."""
    if record.status not in ("drawn", "superseded"):
        return None
    lists, _ = load(record)
    index = {c: {u: i for i, (u, _) in enumerate(v)} for c, v in lists.items()}
    out: dict[str, list[int]] = {c: [] for c in sorted(record.commitment_doc["classes"])}
    for drawn in record.enterprises:
        out[drawn.credit_class].append(index[drawn.credit_class][drawn.enterprise.uscc])
    return out
