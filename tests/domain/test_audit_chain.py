"""Golden vectors for the audit chain's two schemes, and a tamper test for every hashed field.

The vectors pin the canonical form (sorted keys, no whitespace, UTF-8 without escapes, naive UTC
microsecond timestamps) and both hashes: a change to any of them would silently invalidate every
stored hash and every external verifier, so it must fail here first.
"""
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest

from domain.audit_chain import (FIELDS, GENESIS_HASH, KEYED, KEYED_FIELDS, LEGACY, canonical, expected_hash, key_id,
                                keyed_hash, normalise_detail, record_hash)

KEY = b"golden-vector-key-0123456789abcdef"
RECORD = {"seq": 7, "at": datetime(2026, 12, 3, 9, 30, 15, 123456), "actor_id": 42, "action": "inspection.submit",
          "object_type": "inspection", "object_id": 1001, "campaign_id": 3,
          "detail": {"结果": "发现问题经责令已改正", "items": [1, 2], "note": "蕲春县"}, "prev_hash": "ab" * 32}
LEGACY_CANONICAL = ('{"action":"inspection.submit","actor_id":42,"at":"2026-12-03T09:30:15.123456","campaign_id":3,'
                    '"detail":{"items":[1,2],"note":"蕲春县","结果":"发现问题经责令已改正"},"object_id":1001,'
                    '"object_type":"inspection","prev_hash":"' + "ab" * 32 + '","seq":7}').encode("utf-8")
LEGACY_HASH = "808ef42203885370f2ddb7b56c130243c72fcbd1c68bb61da0f30200372806a1"
KEY_ID = "0067bdbfbaaed5e0"
KEYED_RECORD = {**RECORD, "scheme": KEYED, "key_id": KEY_ID}
KEYED_CANONICAL = ('{"action":"inspection.submit","actor_id":42,"at":"2026-12-03T09:30:15.123456","campaign_id":3,'
                   '"detail":{"items":[1,2],"note":"蕲春县","结果":"发现问题经责令已改正"},"key_id":"0067bdbfbaaed5e0",'
                   '"object_id":1001,"object_type":"inspection","prev_hash":"' + "ab" * 32 + '",'
                   '"scheme":"hmac-sha256-v2","seq":7}').encode("utf-8")
KEYED_HASH = "90b5880654ce8092fc222a3df35a5a56725543897e00b4af21ac6549f33cb318"

# A value of the same type that differs, for each field a database writer might edit.
TAMPERED = {"seq": 8, "at": datetime(2026, 12, 3, 9, 30, 15, 123457), "actor_id": 43, "action": "inspection.submiT",
            "object_type": "inspectioN", "object_id": 1002, "campaign_id": 4,
            "detail": {"结果": "未发现问题", "items": [1, 2], "note": "蕲春县"}, "prev_hash": "ab" * 31 + "ac",
            "scheme": LEGACY, "key_id": "0067bdbfbaaed5e1"}


def test_constants_are_pinned():
    assert (LEGACY, KEYED, GENESIS_HASH) == ("sha256-v1", "hmac-sha256-v2", "0" * 64)
    assert FIELDS == ("seq", "at", "actor_id", "action", "object_type", "object_id", "campaign_id", "detail",
                      "prev_hash")
    assert KEYED_FIELDS == FIELDS + ("scheme", "key_id")


def test_legacy_golden_vector():
    assert canonical(RECORD) == LEGACY_CANONICAL
    assert record_hash(RECORD) == LEGACY_HASH == hashlib.sha256(LEGACY_CANONICAL).hexdigest()


def test_keyed_golden_vector():
    assert key_id(KEY) == KEY_ID == hashlib.sha256(b"yiye-audit-key-id\x00" + KEY).hexdigest()[:16]
    assert canonical(KEYED_RECORD, KEYED_FIELDS) == KEYED_CANONICAL
    assert keyed_hash(KEYED_RECORD, KEY) == KEYED_HASH == hmac.new(KEY, KEYED_CANONICAL, hashlib.sha256).hexdigest()
    assert expected_hash(KEYED_RECORD, {KEY_ID: KEY}) == KEYED_HASH


def test_canonical_ignores_fields_outside_the_scheme_and_the_input_is_untouched():
    noisy = {**RECORD, "id": 99, "hash": "x", "scheme": LEGACY, "key_id": None}
    assert canonical(noisy) == LEGACY_CANONICAL
    assert noisy["at"] == RECORD["at"]  # the caller's datetime is not replaced by its string


def test_aware_datetime_hashes_as_naive_utc_and_an_iso_string_as_itself():
    aware = {**RECORD, "at": RECORD["at"].replace(tzinfo=timezone.utc)}
    assert record_hash(aware) == LEGACY_HASH
    as_text = {**RECORD, "at": "2026-12-03T09:30:15.123456"}
    assert record_hash(as_text) == LEGACY_HASH
    whole_second = {**RECORD, "at": datetime(2026, 12, 3, 9, 30, 15)}
    assert b'"at":"2026-12-03T09:30:15.000000"' in canonical(whole_second)


def test_key_id_is_sixteen_hex_digits_and_differs_per_key():
    assert len(key_id(b"k")) == 16 and key_id(b"k") != key_id(b"l")


@pytest.mark.parametrize("field", FIELDS)
def test_every_field_is_covered_by_the_legacy_hash(field):
    assert record_hash({**RECORD, field: TAMPERED[field]}) != LEGACY_HASH


@pytest.mark.parametrize("field", KEYED_FIELDS)
def test_every_field_is_covered_by_the_keyed_hash(field):
    assert keyed_hash({**KEYED_RECORD, field: TAMPERED[field]}, KEY) != KEYED_HASH


def test_the_timestamp_is_covered_to_the_microsecond():
    later = RECORD["at"] + timedelta(microseconds=1)
    assert record_hash({**RECORD, "at": later}) != LEGACY_HASH
    assert keyed_hash({**KEYED_RECORD, "at": later}, KEY) != KEYED_HASH


def test_another_key_gives_another_hash():
    assert keyed_hash(KEYED_RECORD, KEY + b"!") != KEYED_HASH


def test_expected_hash_follows_the_record_scheme():
    legacy = {**RECORD, "scheme": LEGACY, "key_id": None}
    assert expected_hash(legacy, {}) == LEGACY_HASH
    assert expected_hash(KEYED_RECORD, {}) is None                              # key not available
    assert expected_hash(KEYED_RECORD, {"0" * 16: KEY}) is None                 # another key's id
    assert expected_hash({**KEYED_RECORD, "scheme": "md5"}, {KEY_ID: KEY}) is None  # unknown scheme


def test_normalise_detail_is_what_the_json_column_gives_back():
    detail = {"values": (1, 2), 3: "三", "when": datetime(2026, 1, 2, 3, 4, 5), "nested": {"a": ("b",)}}
    assert normalise_detail(detail) == {"values": [1, 2], "3": "三", "when": "2026-01-02 03:04:05",
                                        "nested": {"a": ["b"]}}


def test_normalise_detail_copies_plain_detail_as_the_round_trip_would():
    import json
    plain = {"form_key": "joint_inspection", "inspection_id": 7, "ok": True, "none": None, "ratio": 0.25,
             "failed_items": [3, 5], "previous": {"items": [{"key": 1, "note": "说明\ud800"}], "code": "02"}, "big": 10 ** 30}
    copied = normalise_detail(plain)
    assert copied == json.loads(json.dumps(plain)) and list(copied) == list(plain)
    assert copied["previous"] is not plain["previous"] and copied["failed_items"] is not plain["failed_items"]
    for odd in ({"n": [1, (2, 3)]}, {"n": {1: "a"}}, {"n": [{"d": datetime(2026, 1, 2)}]}, {"n": True.__class__}):
        assert normalise_detail(odd) == json.loads(json.dumps(odd, default=str))

