"""The double-random draw (双随机) as a pure, reproducible algorithm.

Algorithm "hmac-sha256-ctr/v1" (documented so a third party can re-implement it):
- The random stream for a label L is HMAC-SHA256(key=seed, msg=f"{L}:{counter}") for
  counter = 0, 1, 2…; each 32-byte block yields four big-endian unsigned 64-bit words.
- A uniform integer below n is drawn by rejection: take the next word w; accept when
  w < 2**64 - (2**64 % n), returning w % n.
- Enterprises: per credit class in sorted order, the sorted USCC list is partially
  shuffled (Fisher–Yates from the front: for i in 0..k-1 swap i with i + below(len-i)),
  using the stream labelled f"enterprise:{class}"; the first k are drawn, where
  k = ceil(len * ratio / 100) (exact decimal arithmetic), at least 1 when ratio > 0.
- Officers: for each drawn enterprise in draw order, each participating department (by
  ascending id) gives the least-loaded of its officers, ties broken by the stream
  labelled "officer"; when that leaves fewer than two officers, the lead department adds
  its next least-loaded officer.
"""
import hashlib
import hmac
import json
import math
from dataclasses import dataclass
from fractions import Fraction

ALGORITHM = "hmac-sha256-ctr/v1"
_WORD = 2 ** 64


class DrawInfeasible(Exception):
    """The draw's rules cannot be met with the people and enterprises available."""


class RandomStream:
    def __init__(self, seed: bytes, label: str):
        self._seed, self._label = seed, label
        self._counter, self._words = 0, []

    def _next_word(self) -> int:
        if not self._words:
            block = hmac.new(self._seed, f"{self._label}:{self._counter}".encode(), hashlib.sha256).digest()
            self._counter += 1
            self._words = [int.from_bytes(block[i:i + 8], "big") for i in range(0, 32, 8)]
        return self._words.pop(0)

    def below(self, n: int) -> int:
        if n <= 0:
            raise ValueError("n must be positive")
        limit = _WORD - (_WORD % n)
        while True:
            word = self._next_word()
            if word < limit:
                return word % n


def sample_size(population: int, ratio_percent) -> int:
    if population == 0 or Fraction(str(ratio_percent)) <= 0:
        return 0
    k = math.ceil(population * Fraction(str(ratio_percent)) / 100)
    return min(population, max(1, k))


def snapshot_hash(candidates: dict[str, list[str]]) -> str:
    canonical = json.dumps({c: sorted(v) for c, v in sorted(candidates.items())},
                           separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def commitment(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def draw_enterprises(candidates: dict[str, list[str]], ratios: dict[str, float], seed: bytes) -> dict[str, list[str]]:
    drawn = {}
    for credit_class in sorted(candidates):
        pool = sorted(candidates[credit_class])
        k = sample_size(len(pool), ratios.get(credit_class, 0))
        stream = RandomStream(seed, f"enterprise:{credit_class}")
        for i in range(k):
            j = i + stream.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        drawn[credit_class] = pool[:k]
    return drawn


@dataclass(frozen=True)
class OfficerPick:
    department_id: int
    officer_id: int


def match_officers(enterprises: list[str], officers_by_department: dict[int, list[int]],
                   lead_department_id: int, seed: bytes, minimum: int = 2) -> dict[str, list[OfficerPick]]:
    _check_staffing(officers_by_department, lead_department_id, minimum)
    load: dict[int, int] = {o: 0 for people in officers_by_department.values() for o in people}
    stream = RandomStream(seed, "officer")
    teams = {}
    for uscc in enterprises:
        team: list[OfficerPick] = []
        for department_id in sorted(officers_by_department):
            team.append(OfficerPick(department_id, _least_loaded(officers_by_department[department_id], load, stream, team)))
        while len(team) < minimum:
            team.append(OfficerPick(lead_department_id,
                                    _least_loaded(officers_by_department[lead_department_id], load, stream, team)))
        teams[uscc] = team
    return teams


def _check_staffing(officers_by_department: dict[int, list[int]], lead_department_id: int, minimum: int) -> None:
    missing = [d for d, people in officers_by_department.items() if not people]
    if missing:
        raise DrawInfeasible(f"以下部门没有在岗执法人员: {missing}")
    extra_needed = max(0, minimum - len(officers_by_department))
    if len(officers_by_department.get(lead_department_id, [])) < 1 + extra_needed:
        raise DrawInfeasible(f"牵头部门至少需要 {1 + extra_needed} 名在岗执法人员，才能保证每户不少于 {minimum} 人")


def _least_loaded(people: list[int], load: dict[int, int], stream: RandomStream, team: list[OfficerPick]) -> int:
    taken = {p.officer_id for p in team}
    available = sorted(p for p in people if p not in taken)
    fewest = min(load[p] for p in available)
    tied = [p for p in available if load[p] == fewest]
    chosen = tied[stream.below(len(tied))]
    load[chosen] += 1
    return chosen
