"""A second implementation of docs/draw-algorithm.md, written from the document alone.

It shares no code with domain/draw.py (deliberately naive: full lists, real swaps, linear
scans). If the document left something out, the two would disagree on some input.
"""
import hashlib
import hmac
import json
from fractions import Fraction
from math import ceil


class Infeasible(Exception):
    pass


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


class _Stream:
    def __init__(self, seed: bytes, label: str):
        self.seed, self.label, self.block, self.words = seed, label, 0, []

    def word(self) -> int:
        if not self.words:
            mac = hmac.new(self.seed, f"{self.label}:{self.block}".encode("ascii"), hashlib.sha256).digest()
            self.block += 1
            self.words = [int.from_bytes(mac[i:i + 8], "big") for i in (0, 8, 16, 24)]
        return self.words.pop(0)

    def below(self, n: int) -> int:
        limit = 2 ** 64 - (2 ** 64 % n)
        while True:
            w = self.word()
            if w < limit:
                return w % n


def _size(n: int, ratio: str, minimum: int) -> int:
    r = Fraction(ratio)
    return 0 if n == 0 or r == 0 else min(n, max(minimum, ceil(Fraction(n) * r / 100)))


def _least_loaded(candidates: list[int], load: dict[int, int], stream: _Stream) -> int:
    fewest = min(load[c] for c in candidates)
    tied = sorted(c for c in candidates if load[c] == fewest)
    chosen = tied[stream.below(len(tied))]
    load[chosen] += 1
    return chosen


def draw(params: dict, snapshot: dict, people: dict, seed: bytes) -> dict:
    order = []
    for cls in sorted(snapshot):
        pool = sorted(snapshot[cls])
        k = _size(len(pool), params["ratios"].get(cls, "0"), params.get("min_per_class", 1))
        stream = _Stream(seed, f"enterprise:{cls}")
        for i in range(k):
            j = i + stream.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        order += [(cls, u) for u in pool[:k]]
    if not order:
        raise Infeasible("nobody in scope")
    departments = {int(d): v for d, v in people["departments"].items()}
    lead, m = params["lead_department_id"], params.get("min_officers", 2)
    p = params.get("officers_per_department", 1)
    extra = max(0, m - p * len(departments))
    quota = {d: p + (extra if d == lead else 0) for d in departments}
    if lead not in departments or any(len(departments[d]) < quota[d] for d in departments):
        raise Infeasible("staffing")
    cap = {d: ceil(len(order) * quota[d] / len(departments[d])) + 1 for d in departments}
    load = {o: 0 for d in departments for o in departments[d]}
    officers = _Stream(seed, "officer")
    teams = {}
    for _, uscc in order:
        barred, team = set(people.get("excluded_officers", {}).get(uscc, [])), []
        for d in sorted(departments):
            for _ in range(quota[d]):
                eligible = [o for o in departments[d]
                            if o not in barred and o not in {x for _, x in team} and load[o] < cap[d]]
                if not eligible:
                    raise Infeasible(f"{uscc} {d}")
                team.append([d, _least_loaded(eligible, load, officers)])
        teams[uscc] = team
    per = params.get("experts_per_enterprise", 0)
    experts = {u: [] for _, u in order}
    if per > 0:
        pool = sorted(people.get("experts", []))
        if len(pool) < per:
            raise Infeasible("experts")
        expert_cap = ceil(len(order) * per / len(pool)) + 1
        expert_load = {e: 0 for e in pool}
        stream = _Stream(seed, "expert")
        for _, uscc in order:
            barred = set(people.get("excluded_experts", {}).get(uscc, []))
            for _ in range(per):
                eligible = [e for e in pool if e not in barred and e not in experts[uscc]
                            and expert_load[e] < expert_cap]
                if not eligible:
                    raise Infeasible(f"{uscc} experts")
                experts[uscc].append(_least_loaded(eligible, expert_load, stream))
    return {"enterprises": [{"class": c, "uscc": u, "officers": teams[u], "experts": experts[u]} for c, u in order]}


def commitment(params: dict, snapshot: dict, people: dict, seed: bytes) -> str:
    digests = {c: {"count": len(v), "sha256": hashlib.sha256("\n".join(sorted(v)).encode()).hexdigest()}
               for c, v in snapshot.items()}
    document = {"algorithm": "hmac-sha256-ctr/v2", "params": params, "snapshot": digests,
                "people_sha256": hashlib.sha256(_canonical(people)).hexdigest(),
                "seed_sha256": hashlib.sha256(seed).hexdigest()}
    return hashlib.sha256(_canonical(document)).hexdigest()
