"""The audit hash chain: canonical form of a record and its hash, under two schemes (pure, no database).

The canonical form is JSON with sorted keys, no whitespace and UTF-8 text, over the fields
that make up the record plus the previous record's hash; so changing any field, reordering
records or removing one changes a hash a verifier recomputes.

- `sha256-v1` (records made before the keyed chain): SHA-256 of the canonical form. Anyone
  who can write to the database can recompute it, so it only catches careless edits.
- `hmac-sha256-v2`: HMAC-SHA-256 of the canonical form, which also covers the scheme and
  the key's id, under a key held outside the database (AUDIT_HMAC_KEY). Rewriting a record
  then needs the key too. The key id (a digest of the key, revealing nothing of it) says
  which key made a record, so after a rotation old records still verify under their key.

Old records keep their scheme: a record's scheme is stored with it and never changes.
"""
import hashlib
import hmac
import json
from datetime import datetime
from functools import lru_cache

LEGACY = "sha256-v1"
KEYED = "hmac-sha256-v2"
FIELDS = ("seq", "at", "actor_id", "action", "object_type", "object_id", "campaign_id", "detail", "prev_hash")
KEYED_FIELDS = FIELDS + ("scheme", "key_id")
GENESIS_HASH = "0" * 64
_KEY_ID_LABEL = b"yiye-audit-key-id\x00"


def normalise_detail(detail: dict) -> dict:
    """What the JSON column will give back: tuples become lists, keys strings, dates ISO strings."""
    copied = _plain_copy(detail)
    return copied if copied is not _NOT_PLAIN else json.loads(json.dumps(detail, default=str))


_NOT_PLAIN = object()
_SCALARS = (str, int, float, bool, type(None))


def _plain_copy(value):
    """A copy of data a JSON round trip gives back unchanged (dicts with str keys, lists, str, int, float, bool,
    None: the usual audit detail, copied several times faster than by the round trip); _NOT_PLAIN otherwise."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        out = [_plain_copy(each) for each in value]
        return _NOT_PLAIN if any(each is _NOT_PLAIN for each in out) else out
    if kind is dict:
        out = {}
        for key, each in value.items():
            copied = _plain_copy(each)
            if type(key) is not str or copied is _NOT_PLAIN:
                return _NOT_PLAIN
            out[key] = copied
        return out
    return _NOT_PLAIN


def canonical(fields: dict, names: tuple[str, ...] = FIELDS) -> bytes:
    values = {name: fields[name] for name in names}
    at = values["at"]
    if isinstance(at, datetime):
        # Naive UTC with microseconds (models.base convention); both databases keep microseconds.
        values["at"] = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(fields: dict) -> str:
    """The sha256-v1 hash (records made before the keyed chain)."""
    return hashlib.sha256(canonical(fields)).hexdigest()


@lru_cache(maxsize=16)  # asked at every append (each commit with audit records) of the same few keys
def key_id(key: bytes) -> str:
    """A public name for a key: 16 hex digits of a labelled digest (not usable to forge anything)."""
    return hashlib.sha256(_KEY_ID_LABEL + key).hexdigest()[:16]


def keyed_hash(fields: dict, key: bytes) -> str:
    """The hmac-sha256-v2 hash; `fields` carries its scheme and key_id, which are covered too."""
    return hmac.new(key, canonical(fields, KEYED_FIELDS), hashlib.sha256).hexdigest()


def expected_hash(fields: dict, keys: dict[str, bytes]) -> str | None:
    """The hash the record should carry under its own scheme; None when its key is not among `keys`."""
    if fields["scheme"] == LEGACY:
        return record_hash(fields)
    if fields["scheme"] != KEYED or fields["key_id"] not in keys:
        return None
    return keyed_hash(fields, keys[fields["key_id"]])
