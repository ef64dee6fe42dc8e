"""The double-random draw (双随机) as a pure, reproducible algorithm: "hmac-sha256-ctr/v2".

docs/draw-algorithm.md is the specification; this module is its reference implementation.
It imports only the standard library, so it can be copied alone and run as a verifier:
`python draw.py export.json` exits 0 when the exported draw recomputes identically.

v2 (over v1): the snapshot is hashed per class, officers and experts honour exclusions
(conflicts, recusals, the previous inspector), every department draws its own officers
under a workload cap, sample sizes take a per-class minimum, and a commitment binds the
parameters, the snapshot, the officer input and the seed's digest before the draw.
The random stream and the enterprise selection are unchanged from v1.
"""
import bisect
import hashlib
import json
import math
import operator
import struct
import sys
from decimal import Decimal
from fractions import Fraction
from typing import Iterable

ALGORITHM = "hmac-sha256-ctr/v2"
MODES = ("stratified", "random", "targeted")
WHOLE_SCOPE = "*"  # the single pseudo-class of plain random mode (不定向)
_WORD = 2 ** 64
_AHEAD = 16  # blocks a stream makes at a time: fewer calls, the same words


class DrawInfeasible(Exception):
    """The draw's rules cannot be met with the people and enterprises available."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


class RandomStream:
    """HMAC-SHA256(key=seed, msg=f"{label}:{counter}") blocks, four big-endian 64-bit words each.

    Words are served from `_words` (blocks made ahead, `_AHEAD` at a time, or as many as `take` needs);
    `_counter` is the next block to make. Making blocks early changes no word.
    """
    __slots__ = ("_inner", "_outer", "_prefix", "_counter", "_words", "_pos")

    def __init__(self, seed: bytes, label: str):
        # HMAC's keyed inner and outer states, hashed once (RFC 2104): each block then costs two copies
        # and two short hashes instead of re-deriving them from the key (hmac.digest does, every call).
        key = (hashlib.sha256(seed).digest() if len(seed) > 64 else seed).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        self._prefix = f"{label}:".encode()
        self._counter, self._words, self._pos = 0, (), 0

    def _blocks(self, count: int) -> tuple[int, ...]:
        """The next `count` blocks' words, in order."""
        inner, outer, prefix, data = self._inner, self._outer, self._prefix, []
        for counter in range(self._counter, self._counter + count):
            mac, hashed = inner.copy(), outer.copy()
            mac.update(prefix + b"%d" % counter)
            hashed.update(mac.digest())
            data.append(hashed.digest())
        self._counter += count
        return struct.unpack(f">{4 * count}Q", b"".join(data))

    def next_word(self) -> int:
        if self._pos == len(self._words):
            self._words, self._pos = self._blocks(_AHEAD), 0
        word = self._words[self._pos]
        self._pos += 1
        return word

    def take(self, count: int) -> list[int]:
        """The next `count` words, the same as `count` calls of next_word; the blocks are made in one go."""
        words = list(self._words[self._pos:self._pos + count])
        self._pos += len(words)
        missing = count - len(words)
        if missing > 0:
            self._words, self._pos = self._blocks(-(-missing // 4)), missing
            words += self._words[:missing]
        return words

    def below(self, n: int) -> int:
        """A uniform integer in [0, n) by rejection sampling (no modulo bias)."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = _WORD - (_WORD % n)
        while True:
            if self._pos == len(self._words):  # next_word() inlined: officer matching calls this 100,000 times
                self._words, self._pos = self._blocks(_AHEAD), 0
            word = self._words[self._pos]
            self._pos += 1
            if word < limit:
                return word % n


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def format_ratio(value) -> str:
    """A percentage as its shortest exact decimal string ("3", "2.5", "100"): part of the commitment."""
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def sample_size(population: int, ratio_percent, minimum: int = 1) -> int:
    """ceil(population × ratio / 100) in exact arithmetic, at least `minimum`, at most the population."""
    ratio = Fraction(str(ratio_percent))
    if population == 0 or ratio <= 0:
        return 0
    return min(population, max(minimum, math.ceil(population * ratio / 100)))


def class_digest(sorted_usccs: list[str]) -> str:
    return sha256_hex("\n".join(sorted_usccs).encode("ascii"))


def snapshot_digests(candidates: dict[str, list[str]]) -> dict[str, dict]:
    """Per class: how many candidates and the SHA-256 of their sorted USCCs joined by newlines."""
    return {c: {"count": len(v), "sha256": class_digest(sorted(v))} for c, v in sorted(candidates.items())}


def snapshot_hash(candidates: dict[str, list[str]]) -> str:
    return sha256_hex(canonical_json(snapshot_digests(candidates)))


def seed_digest(seed: bytes) -> str:
    return sha256_hex(seed)


def commitment_document(params: dict, candidates: dict[str, list[str]], people: dict, seed_sha256: str) -> dict:
    return {"algorithm": ALGORITHM, "params": params, "snapshot": snapshot_digests(candidates),
            "people_sha256": sha256_hex(canonical_json(people)), "seed_sha256": seed_sha256}


def commitment(document: dict) -> str:
    return sha256_hex(canonical_json(document))


def draw_enterprises(candidates: dict[str, list[str]], ratios: dict, seed: bytes,
                     min_per_class: int = 1) -> dict[str, list[str]]:
    """Per class (ascending): a partial Fisher–Yates over the sorted USCCs; the first k are drawn."""
    drawn = {}
    for credit_class in sorted(candidates):
        pool = sorted(candidates[credit_class])  # near O(n) when the query already sorted them
        # A class the plan gives no ratio (absent or null) draws nobody, as a 0% class does.
        k = sample_size(len(pool), ratios.get(credit_class) or 0, min_per_class)
        drawn[credit_class] = [pool[i] for i in _partial_shuffle(len(pool), k,
                                                                 RandomStream(seed, f"enterprise:{credit_class}"))]
    return drawn


def _partial_shuffle(n: int, k: int, stream: RandomStream) -> list[int]:
    """Indices the first k positions hold after swapping i with i + below(n - i) for i < k.

    Only displaced positions are remembered, so the cost is O(k), not O(n). The k words are taken
    at once: below(span) rejects only words ≥ 2^64 − (2^64 mod span) > 2^64 − n, so when no word
    reaches 2^64 − n each step is word mod span; otherwise the words are taken again one by one.
    """
    start = stream._counter, stream._words, stream._pos
    words = stream.take(k)
    if words and max(words) >= _WORD - n:
        stream._counter, stream._words, stream._pos = start
        steps = [stream.below(n - i) for i in range(k)]
    else:
        steps = list(map(operator.mod, words, range(n, n - k, -1)))
    moved: dict[int, int] = {}
    out = []
    append, get = out.append, moved.get
    for i, step in enumerate(steps):
        j = i + step
        append(get(j, j))
        moved[j] = get(i, i)
    return out


def quotas(departments: dict[int, list[int]], lead_department_id: int, minimum: int,
           per_department: int = 1) -> dict[int, int]:
    """Officers each department sends per enterprise: `per_department`, the lead more to reach `minimum`."""
    extra = max(0, minimum - per_department * len(departments))
    return {d: per_department + (extra if d == lead_department_id else 0) for d in departments}


def staffing_problems(departments: dict[int, list[int]], lead_department_id: int, minimum: int,
                      names: dict[int, str] | None = None, per_department: int = 1) -> list[str]:
    """What is missing before any enterprise is considered: each department's quota of officers."""
    names = names or {}
    problems = []
    for department_id, need in sorted(quotas(departments, lead_department_id, minimum, per_department).items()):
        have = len(departments[department_id])
        if have < need:
            problems.append(f"「{names.get(department_id, department_id)}」在岗执法人员 {have} 名，至少需要 {need} 名")
    if lead_department_id not in departments:
        problems.append("牵头部门不在参与部门中")
    return problems


class _Pool:
    """People of one department (or the expert library) bucketed by load; the cap bounds every load.

    Loads only grow, so the levels below `low` are empty and never scanned again.
    """

    def __init__(self, people: Iterable[int], cap: int):
        self.levels: list[list[int]] = [sorted(people)]
        self.load: dict[int, int] = {p: 0 for p in self.levels[0]}
        self.cap, self.low = cap, 0

    def pick(self, stream: RandomStream, unavailable: Iterable[int]) -> int | None:
        """The least-loaded person under the cap not in `unavailable` (no repeats in it), ties by the stream."""
        levels, load = self.levels, self.load
        for level in range(self.low, min(self.cap, len(levels))):
            people = levels[level]
            # Where this level's unavailable people (their load says who) stand in its sorted list; the
            # index-th available person is found by stepping over those before it, without a filtered copy.
            skipped = sorted([bisect.bisect_left(people, u) for u in unavailable if load.get(u) == level]) \
                if unavailable else ()
            if len(people) > len(skipped):
                index = stream.below(len(people) - len(skipped))
                for place in skipped:
                    if place <= index:
                        index += 1
                chosen = people.pop(index)
                if level + 1 == len(levels):
                    levels.append([])
                bisect.insort(levels[level + 1], chosen)
                load[chosen] = level + 1
                while not levels[self.low]:
                    self.low += 1
                return chosen
        return None


def workload_cap(total: int, people: int) -> int:
    return math.ceil(total / people) + 1 if people else 0


def match_officers(enterprises: list[str], departments: dict[int, list[int]], lead_department_id: int,
                   seed: bytes, minimum: int = 2, excluded: dict[str, Iterable[int]] | None = None,
                   names: dict[int, str] | None = None, per_department: int = 1) -> dict[str, list[tuple[int, int]]]:
    """Each department (ascending id) gives its quota of officers per enterprise (see `quotas`); the
    least-loaded eligible officer wins, ties by the stream labelled "officer". A team is a list of
    (department id, officer id): plain tuples, as 5,000 enterprises make 100,000 of them."""
    problems = staffing_problems(departments, lead_department_id, minimum, names, per_department)
    if problems:
        raise DrawInfeasible(problems)
    quota = quotas(departments, lead_department_id, minimum, per_department)
    pools = {d: _Pool(people, workload_cap(len(enterprises) * quota[d], len(people)))
             for d, people in departments.items()}
    order = sorted(departments)
    stream = RandomStream(seed, "officer")
    excluded = excluded or {}
    teams, problems = {}, []
    for uscc in enterprises:
        barred = tuple(set(excluded.get(uscc, ())))  # usually empty: the fast path of _Pool.pick
        team: list[tuple[int, int]] = []
        for department_id in order:
            pool, unavailable = pools[department_id], barred
            for _ in range(quota[department_id]):
                chosen = pool.pick(stream, unavailable)
                if chosen is None:
                    problems.append(f"{uscc}：「{(names or {}).get(department_id, department_id)}」没有可派的执法人员"
                                    f"（回避或已达工作量上限）")
                    break
                unavailable += (chosen,)  # a new tuple: `barred` stays the enterprise's exclusions
                team.append((department_id, chosen))
        teams[uscc] = team
    if problems:
        raise DrawInfeasible(problems[:20] + ([f"……另有 {len(problems) - 20} 处"] if len(problems) > 20 else []))
    return teams


def match_experts(enterprises: list[str], experts: list[int], per_enterprise: int, seed: bytes,
                  excluded: dict[str, Iterable[int]] | None = None) -> dict[str, list[int]]:
    """Experts by the same rule as officers: least-loaded eligible, stream labelled "expert"."""
    if per_enterprise <= 0 or not enterprises:
        return {u: [] for u in enterprises}
    if len(experts) < per_enterprise:
        raise DrawInfeasible([f"专家库中该领域在册专家 {len(experts)} 名，每户需要 {per_enterprise} 名"])
    pool = _Pool(experts, workload_cap(len(enterprises) * per_enterprise, len(experts)))
    stream = RandomStream(seed, "expert")
    excluded = excluded or {}
    picked, problems = {}, []
    for uscc in enterprises:
        barred, chosen_ids = set(excluded.get(uscc, ())), []
        for _ in range(per_enterprise):
            chosen = pool.pick(stream, barred)
            if chosen is None:
                problems.append(f"{uscc}：没有可抽取的专家（回避或已达工作量上限）")
                break
            barred.add(chosen)
            chosen_ids.append(chosen)
        picked[uscc] = chosen_ids
    if problems:
        raise DrawInfeasible(problems[:20])
    return picked


def run(params: dict, candidates: dict[str, list[str]], people: dict, seed: bytes) -> dict:
    """The whole draw from its published inputs; the result is plain JSON (what an export carries)."""
    drawn = draw_enterprises(candidates, params["ratios"], seed, params.get("min_per_class", 1))
    order = [(c, u) for c in sorted(drawn) for u in drawn[c]]
    if not order:
        raise DrawInfeasible(["抽查范围内没有可抽取的经营主体（请核对行业、区域和排除条件）"])
    usccs = [u for _, u in order]
    departments = {int(d): list(p) for d, p in people["departments"].items()}
    names = {int(d): n for d, n in people.get("department_names", {}).items()}
    teams = match_officers(usccs, departments, params["lead_department_id"], seed,
                           params.get("min_officers", 2), people.get("excluded_officers", {}), names,
                           params.get("officers_per_department", 1))
    experts = match_experts(usccs, people.get("experts", []), params.get("experts_per_enterprise", 0), seed,
                            people.get("excluded_experts", {}))
    return {"enterprises": [{"class": c, "uscc": u,
                             "officers": [list(pick) for pick in teams[u]],
                             "experts": experts[u]} for c, u in order]}


def verify_commitment(export: dict) -> list[str]:
    """Do the published snapshot, people and parameters hash to the published commitment?"""
    document = export["commitment"]["document"]
    if document.get("algorithm") != ALGORITHM:
        return [f"算法版本 {document.get('algorithm')} 与本校验程序 {ALGORITHM} 不同"]
    mismatches = []
    if snapshot_digests(export["snapshot"]) != document["snapshot"]:
        mismatches.append("候选名单快照与承诺不符")
    if sha256_hex(canonical_json(export["people"])) != document["people_sha256"]:
        mismatches.append("人员名单与承诺不符")
    if export["params"] != document["params"]:
        mismatches.append("抽取参数与承诺不符")
    if commitment(document) != export["commitment"]["sha256"]:
        mismatches.append("承诺值与承诺内容不符")
    return mismatches


def verify(export: dict) -> list[str]:
    """Every way the exported draw fails to recompute; an empty list means it matches.

    A draw published as failed (result null) matches when recomputing it fails too.
    """
    mismatches = verify_commitment(export)
    if export.get("seed") is None:
        return mismatches + ["种子尚未揭晓，只核对了承诺（seed not revealed yet: only the commitment was checked）"]
    seed = bytes.fromhex(export["seed"])
    if seed_digest(seed) != export["commitment"]["document"]["seed_sha256"]:
        mismatches.append("种子的 SHA-256 与承诺不符")
    if mismatches:
        return mismatches
    try:
        recomputed = run(export["params"], export["snapshot"], export["people"], seed)
    except DrawInfeasible as exc:
        # A failed draw's export may carry no "result" at all (nothing was drawn): .get, not [].
        return [] if export.get("result") is None else [f"重算时规则无法满足：{exc}"]
    if export.get("result") is None:
        return ["公布为抽取失败，但重算可以完成抽取"]
    if recomputed != export["result"]:
        mismatches.append("重算的抽取结果与公布结果不一致")
    return mismatches


if __name__ == "__main__":  # standalone verifier: python draw.py export.json (any version)
    import draw_v3  # the dispatch lives with the newer version, which builds on this module
    with open(sys.argv[1], encoding="utf-8") as handle:
        problems = draw_v3.verify_any(json.load(handle))
    print("一致 (match)" if not problems else "不一致 (mismatch):\n" + "\n".join(problems))
    sys.exit(0 if not problems else 1)
