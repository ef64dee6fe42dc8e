"""The draw's fast paths give what the plain rules give: HMAC from precomputed keyed states, words taken in
bulk, the partial shuffle's bulk steps (and its word-by-word fallback), and officers picked by stepping over
the unavailable. Each is checked against the rule written out plainly, or against tests/domain/independent_draw.py."""
import hashlib
import hmac
import random
import struct

import pytest

from domain import draw
from tests.domain import independent_draw


def _words(seed: bytes, label: str, count: int) -> list[int]:
    out: list[int] = []
    counter = 0
    while len(out) < count:
        out += struct.unpack(">4Q", hmac.new(seed, f"{label}:{counter}".encode(), hashlib.sha256).digest())
        counter += 1
    return out[:count]


@pytest.mark.parametrize("length", [0, 1, 32, 63, 64, 65, 100])
def test_the_stream_is_hmac_sha256_for_every_key_length(length):
    seed = bytes((7 * i + 3) % 256 for i in range(length))
    stream = draw.RandomStream(seed, "officer")
    assert [stream.next_word() for _ in range(70)] == _words(seed, "officer", 70)  # past the blocks made ahead


@pytest.mark.parametrize("before, count", [(0, 0), (0, 1), (0, 4), (1, 3), (3, 5), (2, 64), (5, 70), (63, 2)])
def test_take_gives_the_next_words_and_the_stream_goes_on_after_them(before, count):
    seed, expected = b"k" * 32, _words(b"k" * 32, "enterprise:A", 200)
    stream = draw.RandomStream(seed, "enterprise:A")
    assert [stream.next_word() for _ in range(before)] == expected[:before]
    assert stream.take(count) == expected[before:before + count]
    assert [stream.next_word() for _ in range(5)] == expected[before + count:before + count + 5]
    assert stream.take(3) == expected[before + count + 5:before + count + 8]


def _plain_shuffle(n: int, k: int, stream: draw.RandomStream) -> list[int]:
    pool = {}
    for i in range(k):
        j = i + stream.below(n - i)
        pool[i], pool[j] = pool.get(j, j), pool.get(i, i)
    return [pool[i] for i in range(k)]


@pytest.mark.parametrize("n, k", [(1, 1), (5, 0), (5, 5), (40, 7), (1000, 333), (2 ** 63 + 1, 9), (2 ** 64 - 3, 4)])
def test_partial_shuffle_matches_the_plain_rule_and_leaves_the_stream_where_it_does(n, k):
    # The last two sizes put words in the rejected zone: the shuffle takes its words again one by one.
    ours, plain = draw.RandomStream(b"s" * 32, "enterprise:D"), draw.RandomStream(b"s" * 32, "enterprise:D")
    ours.next_word(), plain.next_word()  # a stream already under way
    assert draw._partial_shuffle(n, k, ours) == _plain_shuffle(n, k, plain)
    assert [ours.next_word() for _ in range(6)] == [plain.next_word() for _ in range(6)]


def test_a_word_rejected_for_some_span_is_taken_again_by_the_plain_rule():
    n = 2 ** 63 + 1  # below(n) rejects about half the words: the bulk steps would differ from the rule
    words = _words(b"s" * 32, "enterprise:D", 12)
    assert any(w >= 2 ** 64 - (2 ** 64 % n) for w in words[:3])
    stream = draw.RandomStream(b"s" * 32, "enterprise:D")
    assert draw._partial_shuffle(n, 3, stream) == _plain_shuffle(n, 3, draw.RandomStream(b"s" * 32, "enterprise:D"))


def test_officers_with_several_unavailable_at_one_level_agree_with_the_independent_implementation():
    rng, feasible = random.Random(11), 0
    for round_ in range(80):
        departments = {str(d): sorted(rng.sample(range(d * 100, d * 100 + 12), rng.randrange(3, 7)))
                       for d in (1, 2, 3)[:rng.randrange(1, 4)]}
        everyone = [o for v in departments.values() for o in v]
        usccs = [f"E{i:03d}" for i in range(rng.randrange(1, 25))]
        people = {"departments": departments, "department_names": {}, "experts": [], "excluded_experts": {},
                  "excluded_officers": {u: sorted(rng.sample(everyone, rng.randrange(1, 4)))
                                        for u in usccs if rng.random() < 0.5}}
        params = {"mode": "random", "ratios": {"*": "100"}, "min_per_class": 1, "min_officers": 2,
                  "officers_per_department": rng.choice([1, 2, 3]), "lead_department_id": 1}
        seed = rng.randbytes(32)
        try:
            expected = draw.run(params, {"*": usccs}, people, seed)
        except draw.DrawInfeasible:
            expected = None
        try:
            got = independent_draw.draw(params, {"*": usccs}, people, seed)
        except independent_draw.Infeasible:
            got = None
        assert got == expected, round_
        feasible += expected is not None
    assert feasible >= 30  # most rounds draw; the rest fail the same way in both
