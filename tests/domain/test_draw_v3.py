"""Draw v3: the vectors in docs/draw-algorithm.md hold; the public export recomputes from public data alone and
catches a tampered export or a seed that does not match its commitment; the full export recomputes the whole
draw and its lists; v2 vectors still verify through the same dispatch (`python domain/draw.py FILE`)."""
import copy
import json
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from domain import draw as v2
from domain import draw_v3 as v3

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "draw-algorithm.md"


def _block(name: str) -> dict:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}:begin -->\s*```json\n(.*?)```\s*<!-- {name}:end -->", text, re.S)
    return json.loads(match.group(1))


def _lists(full: dict) -> dict:
    return {c: [(u, bytes.fromhex(s)) for u, s in v] for c, v in full["candidates"].items()}


def test_documented_v3_vectors_recompute_exactly():
    public, full = _block("test-vector-v3-public"), _block("test-vector-v3-full")
    document = v3.commitment_document(full["commitment"]["document"]["params"], _lists(full), full["people"],
                                      bytes.fromhex(full["people_salt"]), full["commitment"]["document"]["beacon"])
    assert document == public["commitment"]["document"]
    assert v2.commitment(document) == public["commitment"]["sha256"]
    seed = v3.derive_seed(public["commitment"]["sha256"], public["beacon_value"])
    assert seed.hex() == public["seed"]
    assert v3.positions(document, seed) == public["positions"] == {"A": [2, 3], "B": [2, 1, 0]}
    assert v3.run(document, _lists(full), full["people"], seed) == full["result"]
    assert v3.verify(public) == [] and v3.verify(full) == []
    # The public block names nobody: no USCC, no salt, no officer list.
    text = json.dumps(public)
    assert not re.search(r"9[12]421126MA", text) and "people_salt" not in text and "excluded_officers" not in text


def test_public_export_detects_tampering_and_a_seed_not_from_the_commitment():
    public = _block("test-vector-v3-public")
    moved = copy.deepcopy(public)
    moved["positions"]["A"] = [3, 2]
    assert v3.verify_public(moved) == ["重算的抽中位置与公布的不一致"]
    other_seed = {**public, "seed": (b"\x01" * 32).hex()}
    assert v3.verify_public(other_seed) == ["种子与承诺和公开随机值不符"]
    other_value = {**public, "beacon_value": "01 02 03 04 05 06 + 07"}
    assert v3.verify_public(other_value) == ["种子与承诺和公开随机值不符"]
    recounted = copy.deepcopy(public)
    recounted["commitment"]["document"]["classes"]["A"]["count"] = 6
    assert v3.verify_public(recounted) == ["承诺值与承诺内容不符"]
    pending = {**public, "beacon_value": None, "seed": None, "positions": None, "status": "committed"}
    assert v3.verify_public(pending)[0].startswith("公开随机值尚未录入")
    # whitespace in the entered value does not change the seed (the value is normalised)
    assert v3.derive_seed(public["commitment"]["sha256"], "  03 09 14\t21 27 30 +  11 ").hex() == public["seed"]


def test_full_export_detects_a_changed_list_salt_people_or_result():
    full = _block("test-vector-v3-full")
    swapped = copy.deepcopy(full)
    swapped["candidates"]["A"][0][0] = "91421126MA0000006J"
    assert v3.verify_full(swapped) == ["A 类候选名单与承诺不符"]
    resalted = copy.deepcopy(full)
    resalted["candidates"]["B"][0][1] = "00" * 16
    assert v3.verify_full(resalted) == ["B 类候选名单与承诺不符"]
    reordered = copy.deepcopy(full)
    reordered["candidates"]["A"].reverse()
    assert v3.verify_full(reordered) == ["A 类候选名单与承诺不符"]
    people = copy.deepcopy(full)
    people["people"]["excluded_officers"] = {}
    assert v3.verify_full(people) == ["人员名单与承诺不符"]
    result = copy.deepcopy(full)
    result["result"]["enterprises"][0]["officers"][0][1] = 11
    assert v3.verify_full(result) == ["重算的抽取结果与记录的抽取结果不一致"]


def test_an_enterprise_can_prove_it_was_in_scope_without_seeing_others():
    full = _block("test-vector-v3-full")
    root = full["commitment"]["document"]["classes"]["A"]["merkle_root"]
    leaves = [v3.leaf(u, bytes.fromhex(s)) for u, s in full["candidates"]["A"]]
    for index, value in enumerate(leaves):
        proof = v3.inclusion_proof(leaves, index)
        assert v3.verify_inclusion(value, proof, root)
        assert not v3.verify_inclusion(v3.leaf("91421126MA0000006J", b"\x00" * 16), proof, root)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10 ** 6), min_size=0, max_size=40, unique=True), st.binary(min_size=32, max_size=32))
def test_v3_positions_are_v2s_indices_over_the_leaf_ordered_list(numbers, seed):
    """The selection is v2's, applied to the list in leaf order: same stream, same sample size, same shuffle."""
    usccs = [f"91421126MA{n:08d}" for n in numbers]
    lists = v3.class_lists({"A": [(u, bytes([i % 256]) * 16) for i, u in enumerate(usccs)]})
    document = {"params": {"ratios": {"A": "30"}, "min_per_class": 1}, "classes": {"A": {"count": len(usccs)}}}
    picked = v3.positions(document, seed)["A"]
    k = v2.sample_size(len(usccs), "30")
    assert picked == v2._partial_shuffle(len(usccs), k, v2.RandomStream(seed, "enterprise:A"))
    assert len(set(picked)) == k and all(0 <= p < len(usccs) for p in picked)
    leaves = [v3.leaf(*e) for e in lists["A"]]
    assert leaves == sorted(leaves)


def test_standalone_verifier_dispatches_on_the_version(tmp_path):
    for name in ("test-vector-v3-public", "test-vector-v3-full"):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(_block(name)), encoding="utf-8")
        ok = subprocess.run([sys.executable, str(ROOT / "domain" / "draw.py"), str(path)], capture_output=True,
                            text=True, cwd=tmp_path)
        assert ok.returncode == 0 and "一致" in ok.stdout, ok.stdout + ok.stderr
        bad = _block(name)
        bad["positions"]["B"] = [0, 1, 2]
        path.write_text(json.dumps(bad), encoding="utf-8")
        mismatch = subprocess.run([sys.executable, str(ROOT / "domain" / "draw.py"), str(path)], capture_output=True,
                                  text=True, cwd=tmp_path)
        assert mismatch.returncode == 1 and "不一致" in mismatch.stdout
    v2_text = DOC.read_text(encoding="utf-8")
    v2_vector = json.loads(re.search(r"<!-- test-vector:begin -->\s*```json\n(.*?)```", v2_text, re.S).group(1))
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(v2_vector), encoding="utf-8")
    assert subprocess.run([sys.executable, str(ROOT / "domain" / "draw.py"), str(path)], capture_output=True).returncode == 0
