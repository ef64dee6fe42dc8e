"""The draw's limits and messages, exactly: what a verifier or an official reads when a draw cannot be made
or does not recompute. (Mutation testing showed these could change silently.)"""
import hashlib
import hmac
import struct

import pytest

from domain import draw

SEED = b"\x07" * 32


def _words(seed: bytes, label: str, blocks: int) -> list[int]:
    """The stream written out from docs/draw-algorithm.md: HMAC-SHA256(seed, f"{label}:{counter}"), 4 words each."""
    out = []
    for counter in range(blocks):
        out += struct.unpack(">4Q", hmac.new(seed, f"{label}:{counter}".encode(), hashlib.sha256).digest())
    return out


def test_next_word_moves_to_the_next_block_after_four_words():
    stream = draw.RandomStream(bytes(range(32)), "enterprise:A")
    assert [stream.next_word() for _ in range(12)] == _words(bytes(range(32)), "enterprise:A", 3)


def test_below_rejects_the_biased_top_of_the_word_range():
    # With n = 2**63 + 1 about half of all words fall in the rejected zone, so rejection is exercised.
    n = 2 ** 63 + 1
    limit = 2 ** 64 - (2 ** 64 % n)
    expected = [w % n for w in _words(SEED, "big", 8) if w < limit][:6]
    stream = draw.RandomStream(SEED, "big")
    assert [stream.below(n) for _ in range(6)] == expected
    assert len([w for w in _words(SEED, "big", 8) if w >= limit]) > 0


@pytest.mark.parametrize("n", [0, -1])
def test_below_refuses_an_empty_range(n):
    with pytest.raises(ValueError, match="^n must be positive$"):
        draw.RandomStream(SEED, "x").below(n)


def test_infeasible_draw_joins_its_problems():
    assert str(draw.DrawInfeasible(["甲", "乙"])) == "甲；乙"


def test_workload_cap():
    assert draw.workload_cap(10, 3) == 5      # ceil(10 / 3) + 1
    assert draw.workload_cap(9, 3) == 4
    assert draw.workload_cap(5, 0) == 0       # nobody: no capacity


def test_format_ratio_expands_exponents():
    assert draw.format_ratio("1e2") == "100" and draw.format_ratio("2.50E1") == "25"


def test_empty_scope_message():
    with pytest.raises(draw.DrawInfeasible) as info:
        draw.run({"ratios": {"A": 3}, "lead_department_id": 1}, {"A": []}, {"departments": {"1": [1, 2]}}, SEED)
    assert str(info.value) == "抽查范围内没有可抽取的经营主体（请核对行业、区域和排除条件）"


def test_staffing_problem_names_a_department_by_its_name_or_else_its_id():
    assert draw.staffing_problems({1: [11, 12], 2: []}, 1, 2) == ["「2」在岗执法人员 0 名，至少需要 1 名"]
    assert draw.staffing_problems({1: [11, 12], 2: []}, 1, 2, {2: "乙局"}) == ["「乙局」在岗执法人员 0 名，至少需要 1 名"]


def _officer_failures(count: int, names=None) -> str:
    """`count` enterprises whose lead has one eligible officer but needs two."""
    enterprises = [f"E{i:02d}" for i in range(count)]
    with pytest.raises(draw.DrawInfeasible) as info:
        draw.match_officers(enterprises, {1: [11, 12]}, 1, SEED, 2, {u: [11] for u in enterprises}, names)
    return str(info.value)


def test_officer_shortage_names_the_enterprise_and_department():
    assert _officer_failures(1) == "E00：「1」没有可派的执法人员（回避或已达工作量上限）"
    assert _officer_failures(1, {1: "甲局"}) == "E00：「甲局」没有可派的执法人员（回避或已达工作量上限）"


def test_officer_shortages_are_listed_up_to_twenty():
    assert _officer_failures(20).count("；") == 19 and "另有" not in _officer_failures(20)
    message = _officer_failures(21).split("；")
    assert len(message) == 21 and message[-1] == "……另有 1 处" and message[19].startswith("E19：")
    assert _officer_failures(25).split("；")[-1] == "……另有 5 处"


def test_expert_shortage_messages():
    with pytest.raises(draw.DrawInfeasible) as info:
        draw.match_experts(["E0"], [1], 1, SEED, excluded={"E0": [1]})
    assert str(info.value) == "E0：没有可抽取的专家（回避或已达工作量上限）"
    enterprises = [f"E{i:02d}" for i in range(25)]
    with pytest.raises(draw.DrawInfeasible) as info:
        draw.match_experts(enterprises, [1], 1, SEED, excluded={u: [1] for u in enterprises})
    assert str(info.value).count("；") == 19


def test_no_enterprises_need_no_experts_even_from_an_empty_library():
    assert draw.match_experts([], [], 2, SEED) == {}
    assert draw.match_experts(["E0"], [], 0, SEED) == {"E0": []}


def test_experts_needed_but_none_in_the_people_list():
    params = {"ratios": {"A": 100}, "lead_department_id": 1, "experts_per_enterprise": 1}
    with pytest.raises(draw.DrawInfeasible, match="^专家库中该领域在册专家 0 名，每户需要 1 名$"):
        draw.run(params, {"A": ["A0"]}, {"departments": {"1": [11, 12]}}, SEED)


def test_min_per_class_defaults_to_one():
    params = {"ratios": {"A": "1"}, "lead_department_id": 1}
    result = draw.run(params, {"A": [f"A{i}" for i in range(10)]}, {"departments": {"1": [11, 12]}}, SEED)
    assert len(result["enterprises"]) == 1


def _export(**changes):
    params = {"ratios": {"A": "50"}, "lead_department_id": 1}
    candidates, people = {"A": ["A0", "A1"]}, {"departments": {"1": [11, 12]}}
    document = draw.commitment_document(params, candidates, people, draw.seed_digest(SEED))
    export = {"params": params, "snapshot": candidates, "people": people, "seed": SEED.hex(),
              "commitment": {"document": document, "sha256": draw.commitment(document)},
              "result": draw.run(params, candidates, people, SEED)}
    return {**export, **changes}


def test_verify_messages_for_each_mismatch():
    export = _export()
    assert draw.verify(export) == []
    assert draw.verify({**export, "seed": None}) == [
        "种子尚未揭晓，只核对了承诺（seed not revealed yet: only the commitment was checked）"]
    assert draw.verify({**export, "people": {"departments": {"1": [11, 13]}}}) == ["人员名单与承诺不符"]
    assert draw.verify({**export, "params": {**export["params"], "min_officers": 3}}) == ["抽取参数与承诺不符"]
    assert draw.verify({**export, "commitment": {**export["commitment"], "sha256": "0" * 64}}) == ["承诺值与承诺内容不符"]
    other = {**export["commitment"]["document"], "algorithm": "other-v9"}
    assert draw.verify({**export, "commitment": {**export["commitment"], "document": other}}) == [
        f"算法版本 other-v9 与本校验程序 {draw.ALGORITHM} 不同"]
