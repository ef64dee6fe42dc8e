"""Golden vectors for the current draw algorithm (it must stay byte-for-byte reproducible for existing draws):
teams with two experts, min_officers reached across departments, the documented defaults, a class
without a ratio, and verifying a draw that was published as failed."""
import pytest

from domain import draw

SEED = bytes(range(32))
PARAMS = {"ratios": {"A": "50", "B": "100"}, "lead_department_id": 1, "min_officers": 4, "experts_per_enterprise": 2}
CANDIDATES = {"A": ["A0", "A1", "A2", "A3"], "B": ["B0", "B1"]}
PEOPLE = {"departments": {"1": [11, 12, 13], "2": [21, 22], "3": [31]}, "experts": [7, 8, 9]}
GOLDEN = {"enterprises": [
    {"class": "A", "uscc": "A2", "officers": [[1, 11], [1, 12], [2, 22], [3, 31]], "experts": [9, 8]},
    {"class": "A", "uscc": "A3", "officers": [[1, 13], [1, 11], [2, 21], [3, 31]], "experts": [7, 9]},
    {"class": "B", "uscc": "B1", "officers": [[1, 13], [1, 12], [2, 21], [3, 31]], "experts": [7, 8]},
    {"class": "B", "uscc": "B0", "officers": [[1, 13], [1, 11], [2, 22], [3, 31]], "experts": [9, 8]}]}


def _export(params, candidates, people, seed, result):
    document = draw.commitment_document(params, candidates, people, draw.seed_digest(seed))
    return {"params": params, "snapshot": candidates, "people": people, "seed": seed.hex(),
            "commitment": {"document": document, "sha256": draw.commitment(document)}, "result": result}


def test_golden_teams_with_two_experts_and_min_officers_across_departments():
    result = draw.run(PARAMS, CANDIDATES, PEOPLE, SEED)
    assert result == GOLDEN
    for row in result["enterprises"]:
        assert len(row["experts"]) == len(set(row["experts"])) == 2  # never the same expert twice in a team
        officers = [o for _, o in row["officers"]]
        assert len(officers) == len(set(officers)) == 4
        # Only the lead department sends the extra officers needed to reach min_officers.
        assert [d for d, _ in row["officers"]] == [1, 1, 2, 3]
    assert draw.verify(_export(PARAMS, CANDIDATES, PEOPLE, SEED, GOLDEN)) == []


def test_experts_never_repeat_within_a_team_even_with_a_tight_library():
    enterprises = [f"E{i}" for i in range(30)]
    picked = draw.match_experts(enterprises, [1, 2], 2, SEED)
    assert all(sorted(team) == [1, 2] for team in picked.values())
    with pytest.raises(draw.DrawInfeasible, match="每户需要 3 名"):
        draw.match_experts(enterprises, [1, 2], 3, SEED)


def test_quotas_give_the_extra_officers_to_the_lead_only():
    departments = {1: [1], 2: [1], 3: [1]}
    assert draw.quotas(departments, 1, 5) == {1: 3, 2: 1, 3: 1}
    assert draw.quotas(departments, 2, 5) == {1: 1, 2: 3, 3: 1}
    assert draw.quotas(departments, 1, 2) == {1: 1, 2: 1, 3: 1}  # already reached: nobody sends more
    assert draw.quotas(departments, 1, 7, per_department=2) == {1: 3, 2: 2, 3: 2}
    assert draw.quotas({1: [1]}, 1, 2) == {1: 2}


def test_staffing_problems_name_the_department_short_of_its_quota():
    assert draw.staffing_problems({1: [11], 2: [21]}, 1, 3, {1: "甲局"}) == ["「甲局」在岗执法人员 1 名，至少需要 2 名"]
    assert draw.staffing_problems({1: [11, 12], 2: [21]}, 1, 3) == []
    assert draw.staffing_problems({2: [21, 22]}, 1, 2) == ["牵头部门不在参与部门中"]


def test_documented_defaults_are_pinned():
    """docs/draw-algorithm.md: min_officers 2, min_per_class 1, officers_per_department 1, experts_per_enterprise 0.
    A verifier recomputes a draw whose parameters omit them, so they must never change."""
    bare = {"ratios": {"A": "50", "B": "100"}, "lead_department_id": 1}
    explicit = {**bare, "min_officers": 2, "min_per_class": 1, "officers_per_department": 1,
                "experts_per_enterprise": 0}
    people = {"departments": {"1": [11, 12, 13], "2": [21, 22]}, "experts": [7, 8]}
    assert draw.run(bare, CANDIDATES, people, SEED) == draw.run(explicit, CANDIDATES, people, SEED)
    result = draw.run(bare, CANDIDATES, people, SEED)
    assert all(len(r["officers"]) == 2 and r["experts"] == [] for r in result["enterprises"])
    assert draw.draw_enterprises({"A": ["A1", "A2"]}, {"A": "1"}, SEED) == \
        draw.draw_enterprises({"A": ["A1", "A2"]}, {"A": "1"}, SEED, 1)
    assert len(draw.draw_enterprises({"A": ["A1", "A2"]}, {"A": "1"}, SEED)["A"]) == 1
    assert draw.sample_size(10, 3) == 1
    teams = draw.match_officers(["X"], {1: [11, 12], 2: [21]}, 1, SEED)
    assert len(teams["X"]) == 2 and teams == draw.match_officers(["X"], {1: [11, 12], 2: [21]}, 1, SEED, 2, None,
                                                                  None, 1)


@pytest.mark.parametrize("ratios", [{"A": "50"}, {"A": "50", "B": None}, {"A": "50", "B": 0}, {"A": "50", "B": ""}])
def test_a_class_without_a_ratio_draws_nobody(ratios):
    drawn = draw.draw_enterprises(CANDIDATES, ratios, SEED)
    assert drawn["B"] == [] and len(drawn["A"]) == 2
    assert drawn["A"] == draw.draw_enterprises({"A": CANDIDATES["A"]}, {"A": "50"}, SEED)["A"]


def test_a_published_failed_draw_verifies_when_recomputing_fails_too():
    people = {"departments": {"1": [11], "2": [21]}, "department_names": {"1": "甲", "2": "乙"}}
    params = {**PARAMS, "experts_per_enterprise": 0}
    with pytest.raises(draw.DrawInfeasible):
        draw.run(params, CANDIDATES, people, SEED)
    failed = _export(params, CANDIDATES, people, SEED, None)
    assert draw.verify(failed) == []
    without_result = {k: v for k, v in failed.items() if k != "result"}  # published with no result at all
    assert draw.verify(without_result) == []
    claimed = {**failed, "result": GOLDEN}
    assert draw.verify(claimed) == ["重算时规则无法满足：「甲」在岗执法人员 1 名，至少需要 3 名"]


def test_a_draw_published_as_failed_that_recomputes_is_a_mismatch():
    export = _export(PARAMS, CANDIDATES, PEOPLE, SEED, None)
    assert draw.verify(export) == ["公布为抽取失败，但重算可以完成抽取"]
    assert draw.verify({k: v for k, v in export.items() if k != "result"}) == ["公布为抽取失败，但重算可以完成抽取"]
