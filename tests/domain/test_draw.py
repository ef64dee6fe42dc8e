"""The draw algorithm: sizes, reproducibility, officer teams."""
import pytest

from domain import draw


def _pool(n: int, prefix: str) -> list[str]:
    return [f"{prefix}{i:05d}" for i in range(n)]


def test_sample_size_rounds_up_and_never_exceeds_population():
    assert draw.sample_size(100, 3) == 3
    assert draw.sample_size(101, 3) == 4
    assert draw.sample_size(10, 3) == 1
    assert draw.sample_size(5, 100) == 5
    assert draw.sample_size(5, 0) == 0
    assert draw.sample_size(0, 50) == 0


def test_same_seed_same_draw_and_different_seed_differs():
    candidates = {"A": _pool(500, "A"), "B": _pool(300, "B"), "C": _pool(80, "C"), "D": _pool(20, "D")}
    ratios = {"A": 3, "B": 5, "C": 20, "D": 60}
    first = draw.draw_enterprises(candidates, ratios, b"seed-1")
    assert first == draw.draw_enterprises(dict(reversed(list(candidates.items()))), ratios, b"seed-1")
    assert first != draw.draw_enterprises(candidates, ratios, b"seed-2")
    assert {c: len(v) for c, v in first.items()} == {"A": 15, "B": 15, "C": 16, "D": 12}
    assert all(set(v) <= set(candidates[c]) and len(set(v)) == len(v) for c, v in first.items())


def test_snapshot_hash_changes_with_any_candidate():
    candidates = {"A": _pool(10, "A")}
    changed = {"A": _pool(9, "A") + ["Z"]}
    assert draw.snapshot_hash(candidates) != draw.snapshot_hash(changed)
    assert draw.snapshot_hash(candidates) == draw.snapshot_hash({"A": list(reversed(candidates["A"]))})


def test_every_enterprise_gets_two_officers_and_each_department_one():
    officers = {1: [11, 12, 13], 2: [21, 22]}
    teams = draw.match_officers(_pool(10, "E"), officers, lead_department_id=1, seed=b"s")
    for team in teams.values():
        assert sorted(p.department_id for p in team) == [1, 2]
    load = {}
    for team in teams.values():
        for pick in team:
            load[pick.officer_id] = load.get(pick.officer_id, 0) + 1
    assert max(load[o] for o in (21, 22)) - min(load[o] for o in (21, 22)) <= 1


def test_lead_alone_draws_two_of_its_own():
    teams = draw.match_officers(_pool(3, "E"), {1: [11, 12]}, lead_department_id=1, seed=b"s")
    assert all(len({p.officer_id for p in team}) == 2 for team in teams.values())


def test_too_few_officers_fails_with_a_reason():
    with pytest.raises(draw.DrawInfeasible, match="牵头部门至少需要 2"):
        draw.match_officers(["E1"], {1: [11]}, lead_department_id=1, seed=b"s")
    with pytest.raises(draw.DrawInfeasible, match="没有在岗执法人员"):
        draw.match_officers(["E1"], {1: [11], 2: []}, lead_department_id=1, seed=b"s")
