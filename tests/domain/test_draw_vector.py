"""The test vector published in docs/draw-algorithm.md holds for the reference implementation."""
import json
import re
from pathlib import Path

from domain import draw

DOC = Path(__file__).resolve().parents[2] / "docs" / "draw-algorithm.md"


def _vector() -> dict:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- test-vector:begin -->\s*```json\n(.*?)```\s*<!-- test-vector:end -->", text, re.S)
    return json.loads(block.group(1))


def test_documented_vector_recomputes_exactly():
    vector = _vector()
    seed = bytes.fromhex(vector["seed"])
    assert vector["algorithm"] == draw.ALGORITHM
    document = draw.commitment_document(vector["params"], vector["snapshot"], vector["people"], draw.seed_digest(seed))
    assert document == vector["commitment"]["document"]
    assert draw.commitment(document) == vector["commitment"]["sha256"]
    assert draw.run(vector["params"], vector["snapshot"], vector["people"], seed) == vector["result"]
    assert draw.verify(vector) == []


def test_documented_intermediate_values():
    stream = draw.RandomStream(bytes(range(32)), "enterprise:A")
    assert [stream.next_word() for _ in range(4)] == [
        13552180201454165462, 509373817301963015, 9714269691353535697, 9017343472636022005]
    assert draw.class_digest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    text = DOC.read_text(encoding="utf-8")
    for value in ("13552180201454165462", "ceil(5 × 40 / 100) = 2", draw.ALGORITHM):
        assert value in text
