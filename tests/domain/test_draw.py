"""The draw algorithm: sizes, reproducibility, officer teams, exclusions, workload, statistics."""
import hashlib
import hmac
import math

import pytest

from domain import draw


def _pool(n: int, prefix: str) -> list[str]:
    return [f"{prefix}{i:05d}" for i in range(n)]


def test_sample_size_rounds_up_with_a_per_class_minimum_and_never_exceeds_population():
    assert draw.sample_size(100, 3) == 3
    assert draw.sample_size(101, 3) == 4          # 3.03 rounds up
    assert draw.sample_size(10, 3) == 1           # at least one when the ratio is above 0
    assert draw.sample_size(10, 3, minimum=5) == 5
    assert draw.sample_size(4, 3, minimum=5) == 4
    assert draw.sample_size(5, 100) == 5          # any class may be 100%
    assert draw.sample_size(5, 0, minimum=5) == 0  # 0% (with a recorded reason) draws nobody
    assert draw.sample_size(0, 50) == 0
    assert draw.sample_size(1000, "2.5") == 25 and draw.sample_size(1000, 0.1) == 1  # exact decimals


def test_format_ratio_is_canonical():
    assert [draw.format_ratio(v) for v in (3, 3.0, "3.50", 100, 0, 0.0, 1.7241)] == \
        ["3", "3", "3.5", "100", "0", "0", "1.7241"]


def test_same_seed_same_draw_and_different_seed_differs():
    candidates = {"A": _pool(500, "A"), "B": _pool(300, "B"), "C": _pool(80, "C"), "D": _pool(20, "D")}
    ratios = {"A": 3, "B": 5, "C": 20, "D": 60}
    first = draw.draw_enterprises(candidates, ratios, b"seed-1")
    assert first == draw.draw_enterprises(dict(reversed(list(candidates.items()))), ratios, b"seed-1")
    assert first != draw.draw_enterprises(candidates, ratios, b"seed-2")
    assert {c: len(v) for c, v in first.items()} == {"A": 15, "B": 15, "C": 16, "D": 12}
    assert all(set(v) <= set(candidates[c]) and len(set(v)) == len(v) for c, v in first.items())


def _reference_draw(pool: list[str], k: int, seed: bytes, label: str) -> list[str]:
    """The specification written out naively (docs/draw-algorithm.md §3): full list, real swaps."""
    pool, counter, words = sorted(pool), 0, []

    def below(n):
        nonlocal counter, words
        while True:
            if not words:
                block = hmac.new(seed, f"{label}:{counter}".encode(), hashlib.sha256).digest()
                counter += 1
                words = [int.from_bytes(block[i:i + 8], "big") for i in range(0, 32, 8)]
            w = words.pop(0)
            if w < 2 ** 64 - (2 ** 64 % n):
                return w % n
    for i in range(k):
        j = i + below(len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


@pytest.mark.parametrize("n,ratio", [(1, 100), (7, 50), (300, 20), (1000, 100), (999, 3)])
def test_sparse_shuffle_matches_the_naive_specification(n, ratio):
    pool = _pool(n, "Q")[::-1]
    got = draw.draw_enterprises({"C": pool}, {"C": ratio}, b"spec")["C"]
    assert got == _reference_draw(pool, draw.sample_size(n, ratio), b"spec", "enterprise:C")


def test_snapshot_hash_changes_with_any_candidate_and_ignores_order():
    candidates = {"A": _pool(10, "A"), "B": _pool(5, "B")}
    assert draw.snapshot_hash(candidates) == draw.snapshot_hash({"A": list(reversed(candidates["A"])), "B": _pool(5, "B")})
    for changed in ({"A": _pool(9, "A") + ["Z"], "B": _pool(5, "B")}, {"A": _pool(10, "A"), "B": _pool(4, "B")},
                    {"A": _pool(10, "A"), "B": _pool(5, "B"), "C": []}, {"B": _pool(10, "A"), "A": _pool(5, "B")}):
        assert draw.snapshot_hash(candidates) != draw.snapshot_hash(changed)


def test_commitment_binds_every_input():
    params = {"mode": "stratified", "ratios": {"A": "3"}, "lead_department_id": 1}
    people = {"departments": {"1": [11, 12]}}
    base = draw.commitment(draw.commitment_document(params, {"A": ["X"]}, people, "00"))
    assert base != draw.commitment(draw.commitment_document(params, {"A": ["Y"]}, people, "00"))
    assert base != draw.commitment(draw.commitment_document({**params, "ratios": {"A": "4"}}, {"A": ["X"]}, people, "00"))
    assert base != draw.commitment(draw.commitment_document(params, {"A": ["X"]}, {"departments": {"1": [11]}}, "00"))
    assert base != draw.commitment(draw.commitment_document(params, {"A": ["X"]}, people, "01"))


def test_every_enterprise_gets_one_officer_per_department_and_balanced_load():
    officers = {1: [11, 12, 13], 2: [21, 22]}
    teams = draw.match_officers(_pool(10, "E"), officers, lead_department_id=1, seed=b"s")
    for team in teams.values():
        assert sorted(p[0] for p in team) == [1, 2]
    load = _load(teams)
    assert max(load[o] for o in (21, 22)) - min(load[o] for o in (21, 22)) <= 1


def _load(teams) -> dict[int, int]:
    load: dict[int, int] = {}
    for team in teams.values():
        for pick in team:
            load[pick[1]] = load.get(pick[1], 0) + 1
    return load


def test_lead_alone_draws_two_of_its_own():
    teams = draw.match_officers(_pool(3, "E"), {1: [11, 12]}, lead_department_id=1, seed=b"s")
    assert all(len({p[1] for p in team}) == 2 for team in teams.values())


def test_too_few_officers_fails_with_what_is_missing():
    with pytest.raises(draw.DrawInfeasible, match="在岗执法人员 1 名，至少需要 2 名") as info:
        draw.match_officers(["E1"], {1: [11]}, lead_department_id=1, seed=b"s", names={1: "市场监管局"})
    assert "市场监管局" in str(info.value)
    with pytest.raises(draw.DrawInfeasible) as info:
        draw.match_officers(["E1"], {1: [11], 2: [], 3: []}, lead_department_id=1, seed=b"s",
                            names={2: "消防", 3: "卫健委"})
    assert len(info.value.problems) == 2 and "消防" in info.value.problems[0] and "卫健委" in info.value.problems[1]


def test_excluded_officers_never_go_and_a_fully_excluded_department_fails():
    officers = {1: [11, 12, 13], 2: [21, 22]}
    excluded = {"E00001": [11, 21], "E00002": [12]}
    teams = draw.match_officers(_pool(6, "E"), officers, 1, b"s", excluded=excluded)
    assert {p[1] for p in teams["E00001"]}.isdisjoint({11, 21})
    assert 12 not in {p[1] for p in teams["E00002"]}
    with pytest.raises(draw.DrawInfeasible, match="E00001"):
        draw.match_officers(_pool(3, "E"), officers, 1, b"s", excluded={"E00001": [21, 22]})


@pytest.mark.parametrize("per_department", [1, 2])
def test_workload_never_exceeds_the_cap_even_with_exclusions(per_department):
    enterprises = _pool(200, "E")
    officers = {1: list(range(100, 107)), 2: list(range(200, 203)), 3: list(range(300, 311))}
    excluded = {u: [100 + i % 7, 200 + i % 3] for i, u in enumerate(enterprises) if i % 5 == 0}
    teams = draw.match_officers(enterprises, officers, 1, b"load", excluded=excluded, per_department=per_department)
    load = _load(teams)
    for department_id, people in officers.items():
        cap = math.ceil(len(enterprises) * per_department / len(people)) + 1
        assert max(load.get(p, 0) for p in people) <= cap
        assert sum(load.get(p, 0) for p in people) == len(enterprises) * per_department
    for uscc, team in teams.items():
        assert len({p[1] for p in team}) == len(team) == 3 * per_department
        assert not {p[1] for p in team} & set(excluded.get(uscc, ()))


def test_two_per_department_needs_two_in_every_department():
    with pytest.raises(draw.DrawInfeasible, match="「消防」在岗执法人员 1 名，至少需要 2 名"):
        draw.match_officers(["E1"], {1: [11, 12], 2: [21]}, 1, b"s", per_department=2, names={2: "消防"})
    teams = draw.match_officers(_pool(4, "E"), {1: [11, 12], 2: [21, 22]}, 1, b"s", per_department=2)
    assert all(sorted(p[1] for p in team) == [11, 12, 21, 22] for team in teams.values())


def test_experts_follow_the_same_exclusions():
    picked = draw.match_experts(_pool(10, "E"), [1, 2, 3], 1, b"x", excluded={"E00000": [1, 2]})
    assert picked["E00000"] == [3] and all(len(v) == 1 for v in picked.values())
    with pytest.raises(draw.DrawInfeasible):
        draw.match_experts(_pool(2, "E"), [1], 2, b"x")


def test_selection_frequency_within_a_class_is_uniform_chi_square():
    """2,000 seeded draws of 10 from 40 (25%): each enterprise's count against 500 expected.

    Chi-square with 39 degrees of freedom at significance 0.001: critical value 72.05.
    The seeds are fixed, so the test is deterministic; a biased sampler (e.g. modulo bias or
    a shuffle that favours the front) pushes the statistic far above it.
    """
    pool, counts, rounds = _pool(40, "F"), dict.fromkeys(_pool(40, "F"), 0), 2000
    for r in range(rounds):
        for uscc in draw.draw_enterprises({"C": pool}, {"C": 25}, f"chi-{r}".encode())["C"]:
            counts[uscc] += 1
    expected = rounds * 10 / 40
    statistic = sum((c - expected) ** 2 / expected for c in counts.values())
    assert statistic < 72.05, statistic
    assert sum(counts.values()) == rounds * 10


def test_run_and_verify_round_trip_and_tampering():
    params = {"mode": "stratified", "ratios": {"A": "50", "B": "100"}, "min_per_class": 1, "min_officers": 2,
              "lead_department_id": 1, "experts_per_enterprise": 1}
    candidates = {"A": _pool(6, "A"), "B": _pool(2, "B")}
    people = {"departments": {"1": [11, 12], "2": [21]}, "department_names": {"1": "甲", "2": "乙"},
              "excluded_officers": {"A00001": [11]}, "experts": [7, 8], "excluded_experts": {}}
    seed = b"\x01" * 32
    document = draw.commitment_document(params, candidates, people, draw.seed_digest(seed))
    export = {"params": params, "snapshot": candidates, "people": people, "seed": seed.hex(),
              "commitment": {"document": document, "sha256": draw.commitment(document)},
              "result": draw.run(params, candidates, people, seed)}
    assert draw.verify(export) == []
    assert len(export["result"]["enterprises"]) == 5
    tampered = {**export, "result": {"enterprises": export["result"]["enterprises"][::-1]}}
    assert draw.verify(tampered) == ["重算的抽取结果与公布结果不一致"]
    assert draw.verify({**export, "seed": (b"\x02" * 32).hex()}) == ["种子的 SHA-256 与承诺不符"]
    assert draw.verify({**export, "snapshot": {"A": _pool(6, "A"), "B": _pool(3, "B")}}) == ["候选名单快照与承诺不符"]
