"""Which guard fired: every size guard, budget and deny-list entry of the sandbox, one by one.

Run in this process (the worker runs the same interpreter) with the RSS fallback and the
exit-time checks switched off, so a payload can only be stopped by the guard under test: a test
that asserts a guard's own message fails if that guard is dropped, even when a later layer would
still have caught the payload. Budgets are set small where they are the subject; no test looks
at a clock.
"""
import ast
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine.sandbox import (
    CATCHABLE, FORBIDDEN_ATTR_PREFIXES, FORBIDDEN_ATTRS, FORBIDDEN_NAMES, FORBIDDEN_NODES, GUARDED_METHODS,
    MAX_INSTANCES, MAX_INT_BITS, MAX_ITEMS, MAX_TOTAL_ITEMS, Limits, SandboxEnvironment, SandboxedScriptEngine,
    ScriptLimitExceeded, ScriptRejected, ScriptTimeout, check_source)
from engine.sandbox import interpreter, limits as sandbox_limits

GUARDS_ONLY = Limits(rss_fallback=False, exit_checks=False)


def run(source: str, context: dict | None = None, **overrides):
    env = SandboxEnvironment(GUARDS_ONLY, in_process=True, **overrides)
    scope = dict(context or {})
    env.execute(source, scope)
    return scope


def fired(source: str, context: dict | None = None, error=ScriptLimitExceeded, **overrides) -> str:
    with pytest.raises(error) as info:
        run(source, context, **overrides)
    return str(info.value)


# --- guarded methods: positional and keyword form, each stopped by its own check --------------

BIG = MAX_ITEMS * 2
METHOD_PAYLOADS = {
    "join": ("x = '-'.join(['ab' * 10**5] * 10)", "x = '-'.join(iterable=['ab' * 10**5] * 10)"),
    "replace": ("x = ('x' * 10**6).replace('x', 'yy')", "x = ('x' * 10**6).replace(old='x', new='yy')"),
    "ljust": (f"x = 'x'.ljust({BIG})", f"x = 'x'.ljust(width={BIG})"),
    "rjust": (f"x = 'x'.rjust({BIG})", f"x = 'x'.rjust(width={BIG})"),
    "center": (f"x = 'x'.center({BIG})", f"x = 'x'.center(width={BIG})"),
    "zfill": (f"x = '7'.zfill({BIG})", f"x = '7'.zfill(width={BIG})"),
    "expandtabs": ("x = ('\\t' * 1000).expandtabs(3000)", "x = ('\\t' * 1000).expandtabs(tabsize=3000)"),
    "translate": ("x = ('x' * 10**4).translate({120: 'y' * 200})",
                  "x = ('x' * 10**4).translate(table={120: 'y' * 200})"),
    "extend": ("x = [0] * 10**6\nx.extend(x)", "x = [0] * 10**6\nx.extend(iterable=x)"),
    "to_bytes": (f"x = (1).to_bytes({BIG}, 'big')", f"x = (1).to_bytes(length={BIG}, byteorder='big')"),
    "from_bytes": ("x = int.from_bytes(b'\\xff' * 2000, 'big')",
                   "x = int.from_bytes(bytes=b'\\xff' * 2000, byteorder='big')"),
}


def test_every_guarded_method_has_payloads():
    assert set(METHOD_PAYLOADS) == set(GUARDED_METHODS)


@pytest.mark.parametrize("method", sorted(GUARDED_METHODS))
@pytest.mark.parametrize("form", ["positional", "keyword"])
def test_guarded_method_is_measured_before_it_allocates(method, form):
    source = METHOD_PAYLOADS[method][form == "keyword"]
    message = fired(source)
    owner = "int" if method == "from_bytes" else ("list" if method == "extend" else "str" if method != "to_bytes" else "int")
    assert f"{owner}.{method}()" in message, message


@pytest.mark.parametrize("method", sorted(GUARDED_METHODS))
def test_guarded_method_only_as_a_direct_call(method):
    assert any(f"'.{method}' other than as a direct call" in p for p in check_source(f"f = x.{method}"))


def test_guarded_methods_work_at_normal_sizes():
    scope = run("a = '-'.join(['x', 'y'])\nb = 'abc'.replace('b', 'BB')\nc = '7'.zfill(3)\nd = 'x'.rjust(3)\n"
                "e = 'x'.center(3)\nf = 'x'.ljust(width=2) if False else 'x'.ljust(2)\ng = 'a\\tb'.expandtabs(2)\n"
                "h = 'ab'.translate({97: 'AA'})\ni = [1]\ni.extend([2])\nj = (258).to_bytes(2, 'big')\n"
                "k = int.from_bytes(b'\\x01\\x02', 'big')")
    assert (scope["a"], scope["b"], scope["c"], scope["d"], scope["e"]) == ("x-y", "aBBc", "007", "  x", " x ")
    assert (scope["g"], scope["h"], scope["i"], scope["j"], scope["k"]) == ("a b", "AAb", [1, 2], b"\x01\x02", 258)


def test_type_level_calls_cannot_dodge_the_method_guard():
    assert "on a value, not on a type" in fired("x = str.join('-', ['a'])", error=TypeError)
    assert "only available on int" in fired("x = str.from_bytes(b'1', 'big')", error=TypeError)


def test_translate_with_a_list_table_is_measured():
    assert "str.translate()" in fired("x = ('a' * 10**4).translate(['y' * 200] * 128)")


# --- operators ---------------------------------------------------------------------------------

HUGE = 2 ** (MAX_INT_BITS + 10)  # smuggled in through task data: every operator refuses it as an operand


@pytest.mark.parametrize("source, fragment", [
    (f"x = 2 ** {MAX_INT_BITS // 2} * 2 ** {MAX_INT_BITS // 2 + 10}", "integer multiplication (bits)"),
    ("x = 2\nfor i in range(20):\n    x = x * x", "integer multiplication (bits)"),  # repeated squaring
    ("x = 2\nfor i in range(20):\n    x *= x", "integer multiplication (bits)"),
    (f"x = 3 ** {MAX_INT_BITS}", "integer power (bits)"),
    (f"x = 2 ** {MAX_INT_BITS + 1}", "integer power (bits)"),  # not only base 10
    ("x = 10 ** 10 ** 10", "integer power (bits)"),
    (f"x = 1 << {MAX_INT_BITS + 1}", "left shift (bits)"),
    ("x = 1\nx <<= 10**6", "left shift (bits)"),
    (f"a = (1 << {MAX_INT_BITS - 1}) + (1 << {MAX_INT_BITS - 1})\nb = a + a", "'+' would make an integer"),
    (f"a = -(1 << {MAX_INT_BITS - 1}) - (1 << {MAX_INT_BITS - 1})\nb = a - a + a - (1 << {MAX_INT_BITS - 1})",
     "'-' would make an integer"),
    ("x = 'x' * 10**7", "repetition"),
    ("x = [0] * 10**7", "repetition"),
    ("x = 10**7 * (0,)", "repetition"),
    ("x = 'x' * 10**6\nfor i in range(5):\n    x += x", "concatenation"),
    ("x = [0] * 10**6\ny = x + x", "concatenation"),
    ("d = {'k': [0] * 10**6}\nd['k'] += d['k']", "concatenation"),
    ("x = '%(a)9999s' * 200 % {'a': 1}", "'%' formatting"),
    ("x = '%s' * 20 % tuple(['y' * 10**5] * 20)", "'%' formatting"),
    ("x = '%a' * 2 % ('\u4e2d' * 2 * 10**5, 1)", "'%' formatting"),  # escapes grow six-fold
    ("x = '%.9999f' * 200 % tuple([1.5] * 200)", "'%' formatting"),
    ("x = '%(a(b))9999s' * 200 % {'a(b)': 1}", "'%' formatting"),  # nested parentheses in the key
    ("x = '%999999d' % 1", "width over 9999"),
    ("x = '%*d' % (10**9, 1)", "width over 9999"),
    ("x = b'%(a)9999s' * 200 % {b'a': b'1'}", "'%' formatting"),
])
def test_operator_guards(source, fragment):
    assert fragment in fired(source)


@pytest.mark.parametrize("op", ["+", "-", "*", "//", "%", "**", "<<", ">>", "&", "|", "^"])
def test_every_integer_operator_refuses_an_oversized_operand(op):
    assert f"'{op}': an integer operand of" in fired(f"x = n {op} 3", {"n": HUGE})


@pytest.mark.parametrize("source", ["x = divmod(n, 7)", "x = pow(n, 2, 7)", "x = pow(3, n, 7)", "x = pow(3, 2, n)"])
def test_integer_builtins_refuse_an_oversized_operand(source):
    assert "an integer operand of" in fired(source, {"n": HUGE})


@pytest.mark.parametrize("source, fragment", [
    ("x = int('9' * 4300)", "int() would make an integer"),
    ("x = int(d)", "int() would make an integer"),
    (f"x = pow(2, {MAX_INT_BITS + 1})", "integer power (bits)"),
    (f"x = sum([2 ** {MAX_INT_BITS - 1}] * 4)", "sum() would make an integer"),
    ("x = int.from_bytes(list(range(256)) * 8, 'big')", "int.from_bytes() (bits)"),
])
def test_builtins_that_make_big_integers(source, fragment):
    from decimal import Decimal
    assert fragment in fired(source, {"d": Decimal("1e5000")})


def test_modular_power_is_charged_by_its_cost():
    exponent, modulus = 2 ** (MAX_INT_BITS - 2), 2 ** (MAX_INT_BITS - 2) + 1
    assert "over 1,000 steps" in fired("x = pow(3, e, m)", {"e": exponent, "m": modulus}, ScriptTimeout, max_steps=1000)
    assert run("x = pow(3, 10, 7)")["x"] == 3 ** 10 % 7


def test_integer_cap_boundary():
    assert run(f"x = 2 ** {MAX_INT_BITS - 1}")["x"].bit_length() == MAX_INT_BITS
    assert "integer power (bits)" in fired(f"x = 4 ** {MAX_INT_BITS // 2}")  # 2 ** 14,000: one bit over


@pytest.mark.parametrize("source", [
    "a = [0] * 10**5\nb = [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "a = [0] * 10**5\nb = (*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a)",
    "a = list(range(10**5))\nb = {*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a}",
    "a = [0] * 600000\nb = max(*a, *a)",
    "a = 'x' * 600000\nb = [*a, *a]",
])
def test_starred_unpacking_is_sized_before_it_is_built(source):
    assert "unpacking would produce" in fired(source)


def test_unpacking_still_unpacks():
    scope = run("a = [1, 2]\nb = [0, *a, *(3, 4)]\nc = (*a,)\nd = {*a, 2}\ne = max(*a, 0)\nf, *g = b")
    assert (scope["b"], scope["c"], scope["d"], scope["e"], scope["f"], scope["g"]) == (
        [0, 1, 2, 3, 4], (1, 2), {1, 2}, 2, 0, [1, 2, 3, 4])


def test_fstring_fields_are_measured_with_their_width():
    assert "f-string field" in fired("s = 'x' * 999995\nt = f'{s:>9999}'")
    assert "f-string field" in fired("s = ['x' * 10**5] * 11\nt = f'{s}'")


def test_str_of_shared_references_is_measured_first():
    assert "str() would produce" in fired("x = [[0] * 10**5 for _ in range(20)]\ny = str(x * 5)")


def test_range_is_capped():
    assert "range() would produce" in fired("x = range(10**12)")
    assert len(run(f"x = list(range({MAX_ITEMS}))")["x"]) == MAX_ITEMS


# --- budgets ----------------------------------------------------------------------------------

def test_cumulative_item_budget_counts_every_allocation():
    each = MAX_ITEMS  # every single allocation is at the per-operation limit, only their sum is over
    rounds = MAX_TOTAL_ITEMS // each + 1
    message = fired(f"for i in range({rounds}):\n    x = 'x' * {each}")
    assert f"this run would produce {MAX_TOTAL_ITEMS + each:,} items" in message


def test_outgoing_character_cap_counts_all_strings_together():
    # 60 strings of a million characters: each far under the cap, together over it.
    context = {f"s{i}": "x" * 1_000_000 for i in range(60)}
    env = SandboxEnvironment(Limits(rss_fallback=False), in_process=True)
    with pytest.raises(ScriptLimitExceeded, match=f"the limit is {sandbox_limits.MAX_DATA_CHARS:,}"):
        env.execute("done = True", dict(context))
    assert env.execute("done = True", {k: v for k, v in list(context.items())[:40]})


def test_outgoing_node_cap():
    env = SandboxEnvironment(Limits(rss_fallback=False), in_process=True)
    with pytest.raises(ScriptLimitExceeded, match=f"the limit is {sandbox_limits.MAX_DATA_NODES:,}"):
        env.execute("x = [[0] * 10**5] * 11", {})


def test_step_budget_and_its_message():
    assert "over 1,000 steps" in fired("while True:\n    pass", error=ScriptTimeout, max_steps=1000)
    assert run("x = 0\nfor i in range(100):\n    x += i", max_steps=1000)["x"] == 4950


def test_time_budget_without_a_clock():
    assert "or 0s" in fired("x = 1", error=ScriptTimeout, max_seconds=0)


def test_an_fstring_cannot_give_steps_back():
    # Ten f-strings of a 100,000-character value cost ~10,000 steps; the plain assignments cost ~30.
    loop = "s = 'x' * 100000\nfor i in range(10):\n    t = {}"
    assert run(loop.format("s"), max_steps=5000)["t"]
    assert "over 5,000 steps" in fired(loop.format("f'{s}'"), error=ScriptTimeout, max_steps=5000)
    assert "over 5,000 steps" in fired(loop.format("str(s)"), error=ScriptTimeout, max_steps=5000)


def test_charging_never_lowers_the_count():
    step_run = interpreter.Run(GUARDS_ONLY)
    step_run.charge(10)
    step_run.charge(-1000)
    step_run.charge(0)
    assert step_run.steps == 12


def test_rss_fallback_is_switchable(monkeypatch):
    monkeypatch.setattr(sandbox_limits, "MAX_RSS_GROWTH", 32 << 20)
    if not interpreter.rss():
        pytest.skip("no /proc: the RSS fallback cannot run here")
    grow = "x = [0] * 10**6\nl = []\nwhile True:\n    l.append(list(x))"  # copies are not guarded; RSS is
    env = SandboxEnvironment(Limits(exit_checks=False, max_steps=10**7, max_seconds=1000), in_process=True)
    with pytest.raises(ScriptLimitExceeded, match="MB of memory"):
        env.execute(grow, {})
    assert "over 200 steps" in fired(grow, error=ScriptTimeout, max_steps=200)  # switched off: the steps stop it


def test_exit_checks_are_switchable():
    on = SandboxEnvironment(Limits(rss_fallback=False), in_process=True)
    with pytest.raises(TypeError, match="plain data"):
        on.evaluate("(i for i in range(3))", {})
    assert SandboxEnvironment(GUARDS_ONLY, in_process=True).evaluate("len", {}) is len


def test_an_integer_too_long_to_save_cannot_leave():
    env = SandboxEnvironment(Limits(rss_fallback=False), in_process=True)
    with pytest.raises(ScriptLimitExceeded, match="cannot leave the sandbox"):
        env.execute("x = n", {"n": HUGE})
    assert len(str(env.evaluate(f"2 ** {MAX_INT_BITS - 1}", {}))) < 4300  # every int a script makes prints


# --- deny-lists, looped over the lists themselves ---------------------------------------------

def test_deny_lists_hold_what_the_design_relies_on():
    assert {ast.TryStar, ast.Import, ast.ImportFrom, ast.ClassDef, ast.With, ast.Yield, ast.Match,
            ast.Global, ast.Nonlocal, ast.Await} <= set(FORBIDDEN_NODES)
    assert {"eval", "exec", "compile", "open", "getattr", "type", "object", "vars", "globals"} <= FORBIDDEN_NAMES
    assert {"format", "format_map", "mro"} <= FORBIDDEN_ATTRS
    for uncatchable in ("RecursionError", "MemoryError", "Exception", "BaseException", "ScriptTimeout",
                        "ScriptLimitExceeded", "KeyboardInterrupt", "SystemExit", "GeneratorExit"):
        assert uncatchable not in CATCHABLE


@pytest.mark.parametrize("name", sorted(FORBIDDEN_NAMES))
def test_every_forbidden_name_is_refused(name):
    problems = check_source(f"x = {name}")
    assert any(f"name '{name}'" in p or f"'{name}' (names starting with '_')" in p for p in problems), problems


@pytest.mark.parametrize("attr", sorted(FORBIDDEN_ATTRS))
def test_every_forbidden_attribute_is_refused(attr):
    assert any(f"attribute '{attr}'" in p for p in check_source(f"x = y.{attr}"))


@pytest.mark.parametrize("prefix", FORBIDDEN_ATTR_PREFIXES)
def test_every_forbidden_attribute_prefix_is_refused(prefix):
    assert any(f"attribute '{prefix}x'" in p for p in check_source(f"x = y.{prefix}x"))


NODE_SAMPLES = {
    ast.Import: "import os", ast.ImportFrom: "from os import path", ast.Global: "global g",
    ast.Nonlocal: "def f():\n    nonlocal n", ast.ClassDef: "class A:\n    pass", ast.With: "with a:\n    pass",
    ast.AsyncWith: "async def f():\n    async with a:\n        pass",
    ast.AsyncFor: "async def f():\n    async for i in a:\n        pass",
    ast.AsyncFunctionDef: "async def f():\n    pass", ast.Await: "async def f():\n    await a",
    ast.Yield: "def f():\n    yield 1", ast.YieldFrom: "def f():\n    yield from a",
    ast.TryStar: "try:\n    x = 1\nexcept* ValueError:\n    x = 2", ast.Match: "match a:\n    case 1:\n        pass",
}


@pytest.mark.parametrize("node", list(FORBIDDEN_NODES), ids=lambda n: n.__name__)
def test_every_forbidden_construct_is_refused(node):
    problems = check_source(NODE_SAMPLES[node])
    assert any(f"{FORBIDDEN_NODES[node]} is not allowed" in p for p in problems), problems


@pytest.mark.parametrize("name", CATCHABLE)
def test_every_catchable_exception_can_be_caught(name):
    assert check_source(f"try:\n    x = 1\nexcept {name}:\n    x = 2") == []
    assert run(f"try:\n    x = [][1] if '{name}' in ('IndexError', 'LookupError') else 1 // 0\n"
               f"except ({name}, IndexError, ZeroDivisionError):\n    x = 'caught'")["x"] == "caught"


@pytest.mark.parametrize("name", ["RecursionError", "MemoryError", "Exception", "BaseException", "SystemExit"])
def test_interpreter_failures_cannot_be_caught(name):
    assert any("catching anything but" in p for p in check_source(f"try:\n    x = 1\nexcept {name}:\n    x = 2"))
    assert any("catching anything but" in p for p in check_source(f"try:\n    x = 1\nexcept (ValueError, {name}):\n    x = 2"))


def test_except_star_with_finally_is_refused_twice():
    problems = check_source("try:\n    x = 1\nexcept* ValueError:\n    x = 2\nfinally:\n    x = 3")
    assert any("'except*'" in p for p in problems) and any("'finally'" in p for p in problems)


def test_huge_integer_literals_are_refused_statically():
    assert any("integer literal over" in p for p in check_source("x = 0x" + "f" * (MAX_INT_BITS // 4 + 1)))
    assert check_source("x = 0x" + "f" * (MAX_INT_BITS // 4)) == []


def test_rejected_source_never_runs():
    with pytest.raises(ScriptRejected):
        run("import os")


# --- loop cardinality, at its boundary ----------------------------------------------------------

def _cardinality_task(expression: str) -> SimpleNamespace:
    """What the engine's cardinality check reads of a multi-instance task (and the exception of a task)."""
    workflow = SimpleNamespace(spec=SimpleNamespace(file="probe.bpmn"))
    workflow.top_workflow = workflow
    spec = SimpleNamespace(cardinality=expression, bpmn_id="each", bpmn_name="each", name="each")
    return SimpleNamespace(data={}, task_spec=spec, workflow=workflow)


def test_loop_cardinality_cap_at_its_boundary():
    engine = SandboxedScriptEngine(limits=GUARDS_ONLY, in_process=True)
    assert engine.evaluate(_cardinality_task(str(MAX_INSTANCES)), str(MAX_INSTANCES)) == MAX_INSTANCES
    with pytest.raises(WorkflowTaskException, match=f"exceeds the limit of {MAX_INSTANCES:,}"):
        engine.evaluate(_cardinality_task(str(MAX_INSTANCES + 1)), str(MAX_INSTANCES + 1))
    assert MAX_INSTANCES == 1_000  # a verifier and docs/sandbox.md state this number


# --- the checked builtins and helpers still compute the right thing --------------------------------

def test_checked_builtins_compute_as_python_does():
    scope = run("a = round(2.5)\nb = round(1234, -2)\nc = round(3.14159, 2)\nd = sum([1, 2, 3])\ne = sum([1.5, 2], 10)\n"
                "f = divmod(17, 5)\ng = pow(2, 10)\nh = pow(3, 10, 7)\ni = int('42')\nj = int(3.9)\nk = int('ff', 16)\n"
                "m = str(12) + str([1, 'a'])\nn = datetime.strptime('2024-01-02', '%Y-%m-%d').date().isoformat()\n"
                "o = isinstance(5, int) and isinstance('x', str) and not isinstance('x', int)")
    assert (scope["a"], scope["b"], scope["c"], scope["d"], scope["e"]) == (2, 1200, 3.14, 6, 13.5)
    assert (scope["f"], scope["g"], scope["h"], scope["i"], scope["j"], scope["k"]) == ((3, 2), 1024, 4, 42, 3, 255)
    assert (scope["m"], scope["n"], scope["o"]) == ("12[1, 'a']", "2024-01-02", True)


def test_guarded_operators_compute_as_python_does():
    scope = run("d = {'k': 1, 'l': [1]}\nd['k'] += 2\nd['l'] *= 2\nx = 7\nx -= 2\nx **= 2\nx //= 3\nx %= 5\nx <<= 3\n"
                "x >>= 1\nx |= 1\nx &= 13\nx ^= 2\ny = 7 / 2\nz = [1] + [2]\ns = 'ab' * 2\nt = f'{x:>4}|{y:.1f}'")
    assert (scope["d"], scope["x"], scope["y"], scope["z"], scope["s"]) == ({"k": 3, "l": [1, 1]}, 15, 3.5, [1, 2], "abab")
    assert scope["t"] == "  15|3.5"


@pytest.mark.parametrize("fmt, args", [
    ("%s/%03d", ("a", 7)), ("%(a)s %(b)r", {"a": 1, "b": "x"}), ("100%%", ()), ("%-6s|%6.2f", ("ab", 3.14159)),
    ("%a", ("中文",)), ("%c%c", (65, "b")), ("%(k(1))s", {"k(1)": "nested"}), ("%x %o %e", (255, 8, 1.5)),
    ("%.3s", ("abcdef",)), ("%+d % d", (5, 5)), ("%s", ([1, 2, {"a": None}],)),
    ("%s and %r", ("x" * 40, datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))),
])
def test_percent_estimate_is_an_upper_bound(fmt, args):
    from engine.sandbox.sizes import percent_size
    assert run("x = fmt % args", {"fmt": fmt, "args": args})["x"] == fmt % args
    assert len(fmt % args) <= percent_size(fmt, args) <= 6 * len(fmt % args) + 1000  # not a wild bound


def test_percent_estimate_counts_width_precision_and_value():
    from engine.sandbox.sizes import percent_size
    assert percent_size("%5s", "ab") == 3 + 5 + 5          # the format, the width, 'ab' as repr counts it (2 + 3)
    assert percent_size("%.7s", "ab") == 4 + 7 + 5
    assert percent_size("%(a)9s", {"a": "xy"}) == 6 + 9 + 5
    assert percent_size("%r", "ab") == 2 + 6 * 5            # %r and %a: six-fold for escapes
    assert percent_size("%%", ()) == 2


def _nested(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


def test_measure_counts_nodes_and_printed_characters_exactly():
    from engine.sandbox.sizes import measure
    assert measure("ab", 100, 100) == (1, 2 + 3)                      # the text and its quotes
    assert measure([1, "ab"], 100, 100) == (3, (2 + 2 * 2) + 5 + 2)  # brackets and separators, the text, a digit
    assert measure({"k": [1, 2]}, 100, 100) == (5, 6 + 6 + 2 + 2 + 4)
    assert measure(datetime(2024, 1, 1), 10, 1000) == (1, 100)
    assert measure(10 ** 30, 10, 100) == (1, 32)                       # 100 bits: 30 digits and a sign, rounded up
    assert measure([0] * 9, 10, 10 ** 6) == (10, 38)                   # at the node limit: allowed
    assert measure("x" * 97, 10, 100) == (1, 100)                      # at the character limit: allowed


@pytest.mark.parametrize("value, limits, produced", [
    ([0] * 10, (10, 10 ** 6), "11 items; the limit is 10"),
    ([[0] * 5] * 3, (10, 10 ** 6), "19 items; the limit is 10"),       # known before any inner list is walked
    ("x" * 98, (10, 100), "101 items; the limit is 100"),
])
def test_measure_refuses_one_over_its_limits(value, limits, produced):
    from engine.sandbox.sizes import measure
    with pytest.raises(interpreter.Abort) as info:
        measure(value, *limits)
    assert str(info.value.error) == f"this value would produce {produced}"


def test_measure_depth_limit_at_its_boundary():
    from engine.sandbox.sizes import measure
    assert measure(_nested(99), 10 ** 6, 10 ** 6, plain=True) == (100, 398)
    with pytest.raises(ScriptLimitExceeded, match="data nested deeper than 100 levels"):
        measure(_nested(100), 10 ** 6, 10 ** 6, plain=True)
    assert measure(_nested(100), 10 ** 6, 10 ** 6) == (101, 402)       # only data leaving is held to it
