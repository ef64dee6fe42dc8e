"""Plain conditions (comparisons of names and small literals) are evaluated in this process; everything else,
including anything that calls, computes, builds or reaches an attribute, still goes to a sandbox worker."""
import pytest

from engine.sandbox import SandboxEnvironment, ScriptTimeout, pool
from engine.sandbox.plain import MAX_LITERAL_CHARS, MAX_LITERAL_ITEMS, is_plain

PLAIN = [
    '(severity) == ("minor")', "problems>= 3", '"B"', "campaign_id", "handling == 'rectify' and reinspect == True",
    "not refused", "kind in ('special', 'plan')", "a < b <= c", "x is None or y is not None", "flag != False",
    "3.5 > rate", "x == 1",
]
NOT_PLAIN = [
    "len(partner_ids) > 0", "a + 1 > 2", "a % b == 0", "draw_result['draw_status'] == 'drawn'", "x.real > 0",
    "[i for i in items]", "(lambda: 1)()", "f'{a}' == 'b'", "a if b else c", "__class__ == 1", "b'x' == y",
    "kind in ('a', b)", "x in (b'a', 'b')", "{1: 2} == d", "(a := 1) == 1", "not len(x)", "a == [*b]", "1 +", "", "-a == 1", "-a", "~flag",
]


@pytest.fixture(autouse=True)
def fresh_pool():
    pool.shutdown()
    yield
    pool.shutdown()


@pytest.mark.parametrize("expression", PLAIN)
def test_plain_conditions_are_recognised(expression):
    assert is_plain(expression)


@pytest.mark.parametrize("expression", NOT_PLAIN)
def test_anything_that_calls_computes_builds_or_reaches_further_is_not(expression):
    assert not is_plain(expression)


def test_literals_are_plain_only_while_small():
    assert is_plain("x == '" + "a" * (MAX_LITERAL_CHARS - 2) + "'")
    assert not is_plain("x == '" + "a" * (MAX_LITERAL_CHARS - 1) + "'")
    assert is_plain("x in (" + ", ".join(["1"] * MAX_LITERAL_ITEMS) + ")")
    assert not is_plain("x in (" + ", ".join(["1"] * (MAX_LITERAL_ITEMS + 1)) + ")")


def test_a_plain_condition_starts_no_worker_and_answers_as_one_would():
    env = SandboxEnvironment()
    data = {"severity": "minor", "problems": 3, "items": [1, 2], "rows": [[1], [2]]}
    assert env.evaluate('(severity) == ("minor") and problems >= 3', data) is True
    assert pool._pool is None or not pool._pool.idle  # no worker was needed
    answer = env.evaluate("items", data)
    assert answer == [1, 2] and answer is not data["items"]  # a copy, as a worker's answer is
    rows = env.evaluate("rows", data)
    assert rows == [[1], [2]] and rows[0] is not data["rows"][0]  # a deep one: nothing shared with the task data
    assert env.evaluate("items != [1, 2]", data) is False
    assert env.evaluate("len(items) == 2", data) is True and pool._pool.idle  # a call: a worker answered


def test_a_plain_condition_keeps_the_sandbox_s_errors_and_limits():
    env = SandboxEnvironment(max_steps=1)
    with pytest.raises(NameError, match="missing"):
        SandboxEnvironment().evaluate("missing == 1", {})
    with pytest.raises(ScriptTimeout, match="over 1 steps"):  # the same step counter
        env.evaluate("a == 1 and b == 2 and c == 3", {"a": 1, "b": 2, "c": 3})
