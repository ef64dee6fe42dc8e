"""Walking the audit chain: the first missing, altered, re-linked or unverifiable record (pure, no database).

What each check catches, for someone who can write to the database:
- a gap in the sequence: a deleted record in the middle;
- a wrong prev_hash: a record removed and the next re-linked, or records reordered;
- a wrong hash under the record's own scheme: an edited field (a keyed record cannot be re-hashed
  without the key);
- a legacy record after a keyed one: a forger downgrading the tail to the unkeyed scheme to re-hash it;
- the chain head (seq, hash) differing from the last record: the newest records deleted;
- a published checkpoint (seq, hash) the chain no longer reaches or no longer passes through: the tail
  truncated *and* the head row rewritten, or the whole chain recomputed (with SHA-256 or another key).
  Checkpoints are published outside the database (public page, downloads), so only they catch these.
"""
from dataclasses import dataclass
from typing import Iterable

from domain.audit_chain import GENESIS_HASH, KEYED, expected_hash


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str


@dataclass
class Verification:
    ok: bool
    checked: int
    problem: str | None = None
    seq: int | None = None
    record_id: int | None = None


def walk(rows: Iterable[dict], head: Checkpoint | None, keys: dict[str, bytes],
         checkpoints: Iterable[Checkpoint] = ()) -> Verification:
    """Check `rows` (in sequence order, each with id, hash and every hashed field) against the head and checkpoints."""
    if head is None:
        return Verification(False, 0, "审计链头记录缺失 (audit_chain_head row missing)")
    published = {c.seq: c.hash for c in checkpoints}
    expected, prev, checked, keyed = 1, GENESIS_HASH, 0, False
    for row in rows:
        seq = row["seq"]
        if seq != expected:
            gap = f"{expected}" if seq == expected + 1 else f"{expected}–{seq - 1}"
            return Verification(False, checked, f"缺失记录 (missing record) seq {gap}", expected)
        if row["prev_hash"] != prev:
            return Verification(False, checked, f"链接断开 (prev_hash does not match record seq {seq - 1})",
                                seq, row["id"])
        if keyed and row["scheme"] != KEYED:
            return Verification(False, checked, f"密钥链之后出现旧格式记录 (scheme downgraded to {row['scheme']} "
                                                f"after keyed records)", seq, row["id"])
        digest = expected_hash(row, keys)
        if digest is None:
            return Verification(False, checked, f"无法校验：缺少密钥或格式未知 (no key {row['key_id']} "
                                                f"for scheme {row['scheme']})", seq, row["id"])
        if digest != row["hash"]:
            return Verification(False, checked, "记录被篡改 (hash mismatch: record altered)", seq, row["id"])
        if published.get(seq, row["hash"]) != row["hash"]:
            return Verification(False, checked, f"与已公布的检查点不符 (differs from published checkpoint seq {seq})",
                                seq, row["id"])
        prev, expected, checked, keyed = row["hash"], expected + 1, checked + 1, row["scheme"] == KEYED
    beyond = [s for s in published if s >= expected]
    if beyond:
        return Verification(False, checked, f"链短于已公布的检查点 (chain ends at seq {expected - 1}, "
                                            f"checkpoint published at seq {max(beyond)})", expected)
    if head.seq != expected - 1:
        return Verification(False, checked, f"缺失记录 (missing record) seq {expected}–{head.seq}: "
                                            f"chain head expects {head.seq} records", expected)
    if head.hash != prev:
        return Verification(False, checked, "链头哈希不一致 (chain head hash differs from the last record)", head.seq)
    return Verification(True, checked)

