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


def test_an_independent_implementation_from_the_document_agrees():
    """tests/domain/independent_draw.py was written from the document only; it must agree with the
    reference on the vector and on random inputs (exclusions, several departments, experts, modes)."""
    import random

    from tests.domain import independent_draw

    vector = _vector()
    seed = bytes.fromhex(vector["seed"])
    assert independent_draw.draw(vector["params"], vector["snapshot"], vector["people"], seed) == vector["result"]
    assert independent_draw.commitment(vector["params"], vector["snapshot"], vector["people"], seed) == \
        vector["commitment"]["sha256"]
    rng, feasible = random.Random(4), 0
    for round_ in range(60):
        classes = ["*"] if round_ % 5 == 0 else ["A", "B", "C", "D"]
        snapshot = {c: [f"9{c}{rng.randrange(10 ** 8):08d}" for _ in range(rng.randrange(0, 40))] for c in classes}
        snapshot = {c: sorted(set(v)) for c, v in snapshot.items()}
        departments = {str(d): sorted(rng.sample(range(d * 100, d * 100 + 30), rng.randrange(2, 7)))
                       for d in rng.sample(range(1, 9), rng.randrange(1, 4))}
        everyone = [o for v in departments.values() for o in v]
        usccs = [u for v in snapshot.values() for u in v]
        people = {"departments": departments, "department_names": {},
                  "excluded_officers": {u: sorted(rng.sample(everyone, 1)) for u in usccs if rng.random() < 0.2},
                  "experts": list(range(1, rng.randrange(3, 8))), "excluded_experts": {}}
        params = {"mode": "random" if classes == ["*"] else "stratified",
                  "ratios": {c: str(rng.choice([0, 3, 12.5, 50, 100])) for c in classes},
                  "min_per_class": rng.randrange(0, 3), "min_officers": 2, "officers_per_department": rng.choice([1, 2]),
                  "lead_department_id": int(sorted(departments)[0]), "experts_per_enterprise": rng.choice([0, 1])}
        seed = rng.randbytes(32)
        try:
            expected = draw.run(params, snapshot, people, seed)
        except draw.DrawInfeasible:
            expected = None
        try:
            got = independent_draw.draw(params, snapshot, people, seed)
        except independent_draw.Infeasible:
            got = None
        assert got == expected, (round_, params)
        feasible += expected is not None
        document = draw.commitment_document(params, snapshot, people, draw.seed_digest(seed))
        assert independent_draw.commitment(params, snapshot, people, seed) == draw.commitment(document)
    assert feasible >= 30  # most rounds draw; the rest fail the same way in both
