"""Walking the chain (domain.audit_verify): each kind of tampering is reported as itself, at its record."""
from datetime import datetime, timedelta

import pytest

from domain.audit_chain import GENESIS_HASH, KEYED, LEGACY, key_id, keyed_hash, record_hash
from domain.audit_verify import Checkpoint, Verification, walk

KEY = b"k" * 32
KID = key_id(KEY)
KEYS = {KID: KEY}


def chain(legacy: int, keyed: int, key: bytes = KEY) -> list[dict]:
    """`legacy` sha256-v1 records, then `keyed` hmac-sha256-v2 ones, correctly linked."""
    rows, prev = [], GENESIS_HASH
    for i in range(legacy + keyed):
        row = {"id": 100 + i, "seq": i + 1, "at": datetime(2026, 1, 1) + timedelta(minutes=i), "actor_id": None,
               "action": "test.event", "object_type": "user", "object_id": i, "campaign_id": None,
               "detail": {"第": i}, "prev_hash": prev}
        if i < legacy:
            row.update(scheme=LEGACY, key_id=None)
            row["hash"] = record_hash(row)
        else:
            row.update(scheme=KEYED, key_id=key_id(key))
            row["hash"] = keyed_hash(row, key)
        rows.append(row)
        prev = row["hash"]
    return rows


def head_of(rows: list[dict]) -> Checkpoint:
    return Checkpoint(rows[-1]["seq"], rows[-1]["hash"]) if rows else Checkpoint(0, GENESIS_HASH)


def test_an_intact_mixed_chain_verifies():
    rows = chain(3, 4)
    assert walk(rows, head_of(rows), KEYS, [Checkpoint(2, rows[1]["hash"]), Checkpoint(7, rows[6]["hash"])]) \
        == Verification(True, 7)


def test_an_empty_chain_verifies_and_a_missing_head_does_not():
    assert walk([], head_of([]), KEYS) == Verification(True, 0)
    assert walk([], None, KEYS) == Verification(False, 0, "审计链头记录缺失 (audit_chain_head row missing)")


def test_edited_field_is_a_hash_mismatch_at_that_record():
    rows = chain(2, 3)
    rows[3]["detail"] = {"第": "改"}
    assert walk(rows, head_of(rows), KEYS) == Verification(
        False, 3, "记录被篡改 (hash mismatch: record altered)", 4, 103)


def test_deleted_middle_records_are_a_gap():
    rows = chain(0, 6)
    assert walk(rows[:2] + rows[3:], head_of(rows), KEYS) == Verification(
        False, 2, "缺失记录 (missing record) seq 3", 3)
    assert walk(rows[:1] + rows[4:], head_of(rows), KEYS) == Verification(
        False, 1, "缺失记录 (missing record) seq 2–4", 2)


def test_a_relinked_record_is_a_broken_link():
    rows = chain(0, 3)
    rows[1]["prev_hash"] = "f" * 64
    assert walk(rows, head_of(rows), KEYS) == Verification(
        False, 1, "链接断开 (prev_hash does not match record seq 1)", 2, 101)


def test_deleted_newest_record_is_caught_by_the_head():
    rows = chain(0, 4)
    assert walk(rows[:3], head_of(rows), KEYS) == Verification(
        False, 3, "缺失记录 (missing record) seq 4–4: chain head expects 4 records", 4)


def test_head_hash_differing_from_the_last_record():
    rows = chain(0, 2)
    assert walk(rows, Checkpoint(2, "e" * 64), KEYS) == Verification(
        False, 2, "链头哈希不一致 (chain head hash differs from the last record)", 2)


def test_a_keyed_record_cannot_be_rehashed_without_the_key():
    rows = chain(0, 3)
    forged = chain(0, 3, key=b"x" * 32)
    for row in forged:
        row["key_id"] = KID  # claims the real key
        row["hash"] = keyed_hash(row, b"x" * 32)
    assert walk(forged, head_of(forged), KEYS) == Verification(
        False, 0, "记录被篡改 (hash mismatch: record altered)", 1, 100)
    assert walk(rows, head_of(rows), {}) == Verification(
        False, 0, f"无法校验：缺少密钥或格式未知 (no key {KID} for scheme {KEYED})", 1, 100)


def test_records_of_a_retired_key_verify_with_it_among_the_keys():
    old, new = b"o" * 32, KEY
    rows = chain(0, 2, key=old)
    later = chain(0, 4, key=new)[2:]
    later[0]["prev_hash"] = rows[-1]["hash"]
    later[0]["hash"] = keyed_hash(later[0], new)
    later[1]["prev_hash"] = later[0]["hash"]
    later[1]["hash"] = keyed_hash(later[1], new)
    rows += later
    assert walk(rows, head_of(rows), {key_id(old): old, KID: new}).ok
    assert walk(rows, head_of(rows), {KID: new}).problem.startswith("无法校验")


def test_a_legacy_record_after_keyed_ones_is_a_downgrade():
    rows = chain(1, 3)
    downgraded = rows[3]
    downgraded.update(scheme=LEGACY, key_id=None)
    downgraded["hash"] = record_hash(downgraded)
    assert walk(rows, head_of(rows), KEYS) == Verification(
        False, 3, "密钥链之后出现旧格式记录 (scheme downgraded to sha256-v1 after keyed records)", 4, 103)


def full_sha256_recompute(rows: list[dict]) -> list[dict]:
    """What someone without the key does after editing a record: recompute everything as sha256-v1."""
    prev = GENESIS_HASH
    out = []
    for row in rows:
        row = {**row, "scheme": LEGACY, "key_id": None, "prev_hash": prev}
        row["hash"] = prev = record_hash(row)
        out.append(row)
    return out


def test_a_chain_recomputed_whole_is_caught_only_by_a_checkpoint():
    rows = chain(0, 5)
    published = [Checkpoint(3, rows[2]["hash"])]
    rows[1]["detail"] = {"第": "改"}
    forged = full_sha256_recompute(rows)
    assert walk(forged, head_of(forged), KEYS).ok  # the database alone cannot tell
    assert walk(forged, head_of(forged), KEYS, published) == Verification(
        False, 2, "与已公布的检查点不符 (differs from published checkpoint seq 3)", 3, 102)


def test_a_truncated_tail_with_a_rewritten_head_is_caught_by_a_later_checkpoint():
    rows = chain(0, 6)
    published = [Checkpoint(2, rows[1]["hash"]), Checkpoint(5, rows[4]["hash"]), Checkpoint(6, rows[5]["hash"])]
    truncated = rows[:4]
    assert walk(truncated, head_of(truncated), KEYS).ok  # head rewritten to match: the database alone cannot tell
    assert walk(truncated, head_of(truncated), KEYS, published) == Verification(
        False, 4, "链短于已公布的检查点 (chain ends at seq 4, checkpoint published at seq 6)", 5)


def test_a_checkpoint_at_the_last_record_is_reached():
    rows = chain(0, 3)
    assert walk(rows, head_of(rows), KEYS, [Checkpoint(3, rows[2]["hash"])]).ok
    assert not walk(rows[:2], head_of(rows[:2]), KEYS, [Checkpoint(3, rows[2]["hash"])]).ok


@pytest.mark.parametrize("seq", [1, 4])
def test_a_checkpoint_published_with_another_hash_fails_at_its_seq(seq):
    rows = chain(2, 2)
    result = walk(rows, head_of(rows), KEYS, [Checkpoint(seq, "0" * 63 + "1")])
    assert (result.ok, result.seq, result.checked) == (False, seq, seq - 1)
