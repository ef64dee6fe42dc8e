"""Department seed contributions (docs/draw-algorithm.md §17a): the published test vector, and a draw made
without contributions keeps its original seed."""
import re
from pathlib import Path

from domain import draw_v3

DOC = (Path(__file__).resolve().parents[2] / "docs" / "draw-algorithm.md").read_text(encoding="utf-8")
CODE, COMMITMENT, VALUE = "YYYC-2026-00042", "11" * 32, "02 08 13 19 24 33 + 05"


def _vector() -> list[str]:
    block = DOC.split("<!-- test-vector-v3-contributions:begin -->")[1].split("<!-- test-vector-v3-contributions:end -->")[0]
    return re.findall(r"`([0-9a-f]{64})`", block)


def test_the_documented_vector():
    h3, h7, plain, both, only3 = _vector()
    assert draw_v3.contribution_hash(CODE, 3, "卫健委 4d1c") == h3
    assert draw_v3.contribution_hash(CODE, 7, "xf-0001") == h7
    assert draw_v3.derive_seed(COMMITMENT, VALUE).hex() == plain
    assert draw_v3.derive_seed(COMMITMENT, VALUE, {"7": "xf-0001", "3": "卫健委 4d1c"}).hex() == both
    assert draw_v3.derive_seed(COMMITMENT, VALUE, {"3": "卫健委 4d1c"}).hex() == only3


def test_a_commitment_is_bound_to_its_campaign_and_department():
    value = "卫健委 4d1c"
    assert draw_v3.contribution_hash(CODE, 3, value) != draw_v3.contribution_hash(CODE, 7, value)
    assert draw_v3.contribution_hash(CODE, 3, value) != draw_v3.contribution_hash("YYYC-2026-00043", 3, value)
    document = {"contributions": {"campaign": CODE, "departments": [
        {"department_id": 3, "sha256": draw_v3.contribution_hash(CODE, 3, value)}]}}
    assert draw_v3.check_contributions(document, {"3": value}) == []
    assert draw_v3.check_contributions(document, {"3": value + " "}) == ["部门 3 揭示的随机贡献值与其承诺不符"]
    assert draw_v3.check_contributions(document, {"7": value}) == ["部门 7 的随机贡献值不在承诺中"]
