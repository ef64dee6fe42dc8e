"""What each guard charges, exactly, and what each checked builtin refuses, in its own words.

A guard that measures the wrong size (per allocation instead of cumulative, one tab too few, a
replacement count ignored) lets a payload through at a size nobody tested. These tests call the
interpreter's helpers (engine.sandbox.interpreter.Run) and the checked builtins directly, with the RSS
fallback and the exit checks off, and assert the items and steps charged for ordinary calls and the
whole message of each refusal (a message names the guard that fired). Found by mutation testing
(`make mutation`): each test here kills mutants that every earlier test let survive.
"""
import os
import sys
import threading
import time
from types import SimpleNamespace

import pytest

from engine.sandbox import MAX_INT_BITS, MAX_ITEMS, Limits, ScriptLimitExceeded, check_source
from engine.sandbox import interpreter, limits as sandbox_limits, safe_builtins, sizes
from engine.sandbox.sizes import Abort

GUARDS_ONLY = Limits(rss_fallback=False, exit_checks=False)
HUGE = 2 ** (MAX_INT_BITS + 10)


def script(source: str, **context) -> dict:
    return interpreter.execute(source, context, {}, GUARDS_ONLY)


def refusal(source: str, error=ScriptLimitExceeded, **context) -> str:
    with pytest.raises(error) as info:
        script(source, **context)
    return str(info.value)


def charged(obj, name: str, *args, **kwargs) -> tuple:
    """(result, items charged) of one guarded method call."""
    run = interpreter.Run(GUARDS_ONLY)
    result = run.method(obj, name, *args, **kwargs)
    return result, run.items


# --- guarded methods: the size each one is charged -------------------------------------------------

@pytest.mark.parametrize("obj, name, args, kwargs, result, items", [
    ("ab", "ljust", (5,), {}, "ab   ", 5),
    ("a\tb", "expandtabs", (), {}, "a       b", 3 + 8),          # len + tabs x the default tab size
    ("a\tb", "expandtabs", (4,), {}, "a   b", 3 + 4),
    ("a\tb", "expandtabs", (), {"tabsize": 2}, "a b", 3 + 2),
    (b"a\tb\t", "expandtabs", (4,), {}, b"a   b   ", 4 + 2 * 4),  # bytes count their b"\t"
    ("x-y", "replace", ("-", "--"), {}, "x--y", 4),
    ("aaaa", "replace", ("a", "bb", 2), {}, "bbbbaa", 6),        # the count caps the replacements
    ("aaaa", "replace", ("a", "bb", 0), {}, "aaaa", 4),          # count 0 replaces nothing
    ("aaaa", "replace", ("aa", "b"), {}, "bb", 4),               # shrinking never charges below len
    ("ab", "translate", ({97: "xyz"},), {}, "xyzb", 2 * 3),      # len x the longest replacement
    ("ab", "translate", ({97: None},), {}, "b", 2),               # no string values: one per character
    (b"ab", "translate", (None,), {}, b"ab", 0),                 # bytes tables map one to one
    ("-", "join", (["ab", "c"],), {}, "ab-c", 1 * 2 + 3),
    (258, "to_bytes", (), {"length": 2, "byteorder": "big"}, b"\x01\x02", 2),
    (5, "to_bytes", (), {}, b"\x05", 1),                          # no length: one byte
    (int, "from_bytes", (b"\x01\x00", "little"), {}, 1, 16),     # eight bits per byte
    (int, "from_bytes", (b"\x01\x00",), {"byteorder": "little"}, 1, 16),
    (int, "from_bytes", (), {"bytes": b"\x01\x00", "byteorder": "little"}, 1, 16),
    (5, "from_bytes", (b"\x01",), {}, 1, 8),                      # on an int value too, as Python allows
])
def test_each_guarded_method_is_charged_its_size(obj, name, args, kwargs, result, items):
    assert charged(obj, name, *args, **kwargs) == (result, items)


def test_extend_is_charged_the_list_it_makes_in_either_form():
    target = [1]
    assert charged(target, "extend", [2, 3]) == (None, 3) and target == [1, 2, 3]
    assert charged(target, "extend", iterable=[4]) == (None, 4) and target == [1, 2, 3, 4]


def test_from_bytes_takes_any_iterable_of_ints_once():
    assert charged(int, "from_bytes", map(int, [1, 0])) == (256, 16)


def test_guarded_methods_keep_pythons_argument_errors():
    run = interpreter.Run(GUARDS_ONLY)
    with pytest.raises(TypeError):
        run.method("-", "join", ["a"], ["b"])  # join takes one argument: nothing dropped silently
    with pytest.raises(TypeError):
        run.method("x", "replace", "x")      # replace needs its new text (not an IndexError of ours)
    with pytest.raises(TypeError, match="^from_bytes\\(\\) is only available on int$"):
        run.method("x", "from_bytes", b"1", "big")


def test_from_bytes_refusal_names_itself():
    with pytest.raises(Abort) as info:
        interpreter.Run(GUARDS_ONLY).method(int, "from_bytes", b"\xff" * 2000, "big")
    assert str(info.value) == f"int.from_bytes() (bits) would produce 16,000 items; the limit is {MAX_INT_BITS:,}"


# --- f-string fields, unpacking, item assignment, range ----------------------------------------------

def test_fstring_field_is_charged_its_printed_size_and_a_step_per_hundred_characters():
    for size, steps in ((1000, 11), (1050, 11), (96, 1)):  # printed: the text and 3 more (quotes)
        run = interpreter.Run(GUARDS_ONLY)
        assert run.text("x" * size) == "x" * size
        assert (run.items, run.steps) == (size + 3, steps)
    run = interpreter.Run(GUARDS_ONLY)
    run.text("ab", 7)  # a width of 7 can make it 7 characters longer
    assert run.items == 5 + 7


def test_fstring_field_refusals_name_themselves():
    too_long = refusal("x = f'{s}'", s="y" * MAX_ITEMS)  # refused while measuring the value
    assert too_long == f"f-string field would produce {MAX_ITEMS + 3:,} items; the limit is {MAX_ITEMS:,}"
    too_wide = refusal("x = f'{s:>9999}'", s="y" * (MAX_ITEMS - 13))  # the value fits; with its width it does not
    assert too_wide == f"f-string field would produce {MAX_ITEMS - 10 + 9999:,} items; the limit is {MAX_ITEMS:,}"


def test_unpacking_counts_each_plain_element_once():
    run = interpreter.Run(GUARDS_ONLY)
    assert run.unpack("list", [0, [1, 2]], (False, True)) == [0, 1, 2] and run.items == 3
    assert script("b = [*map(abs, [-1, 2]), *'ab']")["b"] == [1, 2, "a", "b"]  # iterators become lists once


def test_item_augmented_assignment_works_in_place_as_python_does():
    scope = script("a = [1]\nd = {'l': a}\nd['l'] += [2]")
    assert scope["a"] == [1, 2] and scope["d"] == {"l": [1, 2]}


def test_range_too_long_to_measure_is_refused_as_too_big():
    assert refusal("r = range(10 ** 30)") == \
        f"range() would produce {sys.maxsize:,} items; the limit is {MAX_ITEMS:,}"


# --- the checked builtins --------------------------------------------------------------------------

def test_the_import_hook_lets_c_code_import_only_time_and_strptime():
    assert safe_builtins._import("time") is time
    assert safe_builtins._import("_strptime") is sys.modules["_strptime"]
    for name in ("os", "Time", "strptime", "subprocess"):
        with pytest.raises(ImportError, match=f"^import of '{name}' is not allowed$"):
            safe_builtins._import(name)
    with pytest.raises(ImportError, match="relative import"):  # its arguments reach the real import
        safe_builtins._import("time", {"__name__": "task"}, {}, (), 1)
    with pytest.raises(ImportError, match="relative import"):
        safe_builtins._import("time", globals={"__name__": "task"}, level=1)


def test_sum_adds_numbers_only_and_is_capped_at_the_integer_limit():
    with pytest.raises(TypeError, match="^sum\\(\\) only adds numbers here$"):
        safe_builtins._sum([[1]], [])
    top = 2 ** (MAX_INT_BITS - 1)
    assert safe_builtins._sum([top]).bit_length() == MAX_INT_BITS  # exactly at the limit: allowed
    with pytest.raises(Abort, match=f"^sum\\(\\) would make an integer of {MAX_INT_BITS + 1:,} bits"):
        safe_builtins._sum([top, top])


def test_round_digits_are_bounded_at_one_hundred():
    assert safe_builtins._round(1.5, 100) == 1.5 and safe_builtins._round(1, -100) == 0
    for digits in (101, -101):
        with pytest.raises(ValueError, match="^round\\(\\) ndigits must be between -100 and 100$"):
            safe_builtins._round(1, digits)


@pytest.mark.parametrize("source, message", [
    ("x = divmod(n, 7)", "divmod(): an integer operand of"),
    ("x = divmod(7, n)", "divmod(): an integer operand of"),
    ("x = pow(n, 2, 7)", "pow(): an integer operand of"),
    ("x = pow(3, 2, n)", "pow(): an integer operand of"),
])
def test_integer_builtins_name_themselves_when_refusing(source, message):
    assert refusal(source, n=HUGE).startswith(f"{message} {HUGE.bit_length():,} bits is over the limit")


def test_checked_builtins_work_outside_a_run():
    """Called by application code (no sandboxed run on this thread): plain Python results."""
    assert safe_builtins.current() is None
    assert safe_builtins._pow(3, 4) == 81 and safe_builtins._pow(3, 2, 5) == 4
    assert safe_builtins._divmod(17, 5) == (3, 2)


# --- measuring values and '%' formatting --------------------------------------------------------------

@pytest.mark.parametrize("value, nodes", [([[1, 2], [3, 4]], 7), ([[1], [2, [3, 4]]], 8)])
def test_measure_refuses_nested_data_one_node_over_with_the_whole_count(value, nodes):
    assert sizes.measure(value, nodes, MAX_ITEMS)[0] == nodes
    with pytest.raises(Abort, match=f"^this value would produce {nodes} items; the limit is {nodes - 1}$"):
        sizes.measure(value, nodes - 1, MAX_ITEMS)


def test_measure_counts_other_values_as_their_longest_print():
    assert sizes.measure([1.5, 2.5], 100, MAX_ITEMS) == (3, 2 + 2 * 2 + 100 + 100)
    assert sizes.measure(len, 10, 1000) == (1, 100)  # inside the sandbox any value may be measured
    with pytest.raises(TypeError, match="^a builtin_function_or_method cannot leave the sandbox; only plain data can$"):
        sizes.measure(len, 10, 1000, plain=True)


@pytest.mark.parametrize("fmt, args, estimate", [
    ("%s%s", ("a", "bb"), 4 + 4 + 5),                 # the format, then each value as printed ('a' is 4)
    ("%s%s", ("a", "bb", "cccc"), 4 + 4 + 5),         # only the values the format uses
    ("%s", {"a": 1}, 2 + 12),                          # a dict as the one positional value
    ("%(b)s", {"a": 1}, 5 + 3),                        # a missing key counts as empty
    ("%(k(1))s", {"k(1)": "nested"}, 8 + 9),           # nested parentheses in a key, as CPython reads them
    ("%(ab", {"a": 1}, 4 + 2),                         # an unterminated key is read to the end, no further
    ("100%% %s", ("ab",), 8 + 5),                      # '%%' prints one character and uses no value
    ("%s", 1.5, 2 + 100 + 330),                        # '%f' of a float can print 309 digits
    ("%5.2s", ("ab",), 5 + 5 + 2 + 5),                 # width and precision
])
def test_percent_formatting_estimate(fmt, args, estimate):
    assert sizes.percent_size(fmt, args) == estimate


def test_percent_estimate_goes_on_up_to_the_limit():
    exactly = "y" * (MAX_ITEMS - 7)  # '%s%s' (4) + the value as printed (len + 3): the limit exactly
    assert sizes.percent_size("%s%s", (exactly, "b")) == MAX_ITEMS + 4


def test_percent_formatting_refusal_names_itself():
    assert refusal("x = '%s' % s", s="y" * MAX_ITEMS) == \
        f"'%' formatting would produce {MAX_ITEMS + 3:,} items; the limit is {MAX_ITEMS:,}"


def test_rss_reads_proc_and_is_zero_without_it(monkeypatch):
    page = os.sysconf("SC_PAGE_SIZE")
    assert sizes.rss() > 0 and sizes.rss() % page == 0

    def no_proc(*args, **kwargs):
        raise OSError("no /proc")
    monkeypatch.setattr(sizes, "open", no_proc, raising=False)
    assert sizes.rss() == 0  # then only the other limits apply


# --- found by the second mutation run ------------------------------------------------------------------

def test_from_bytes_refuses_an_int_before_allocating_it():
    run = interpreter.Run(GUARDS_ONLY)
    with pytest.raises(TypeError, match="^cannot convert 'int' object to bytes$"):
        run.method(int, "from_bytes", 10 ** 9, "big")  # bytes(10**9) would be a gigabyte of zeros
    assert run.items == 0


def test_replace_count_by_keyword_and_by_default():
    assert charged("aaaa", "replace", "a", "bb") == ("bbbbbbbb", 8)  # no count: every occurrence
    run = interpreter.Run(GUARDS_ONLY)
    with pytest.raises(TypeError):  # Python 3.11's str.replace takes no keywords; it is measured first
        run.method("aaaa", "replace", "a", "bb", count=2)
    assert run.items == 6


@pytest.mark.parametrize("source, context, message", [
    ("x = n << 1", {"n": 2 ** (MAX_INT_BITS - 1)}, f"left shift (bits) would produce {MAX_INT_BITS + 1:,} items"),
    ("x = n + n", {"n": 2 ** (MAX_INT_BITS - 1)}, f"'+' would make an integer of {MAX_INT_BITS + 1:,} bits"),
    ("x = a * a", {"a": 2 ** (MAX_INT_BITS // 2)}, f"integer multiplication (bits) would produce {MAX_INT_BITS + 2:,}"),
    ("x = 'ab' * 10 ** 6", {}, "repetition would produce 2,000,000 items"),
    ("x = 3 + n", {"n": HUGE}, f"'+': an integer operand of {HUGE.bit_length():,} bits"),
])
def test_operator_refusals_name_their_guard(source, context, message):
    assert refusal(source, **context).startswith(message)


def test_integer_addition_up_to_the_limit_is_allowed():
    assert script("x = n + 1", n=2 ** (MAX_INT_BITS - 1) - 2)["x"].bit_length() == MAX_INT_BITS - 1
    assert script("x = n - 1", n=2 ** (MAX_INT_BITS - 1) - 1)["x"].bit_length() == MAX_INT_BITS - 1  # at the limit: allowed


def test_repeating_zero_times_charges_nothing():
    run = interpreter.Run(GUARDS_ONLY)
    assert run.binop("*", "ab", 0) == "" and run.items == 0


def test_augmented_assignment_to_a_name_works_in_place():
    assert script("a = [1]\nb = a\nb += [2]")["a"] == [1, 2]


def test_modular_power_charges_a_step_per_exponent_bit_per_thousand_modulus_bits_squared():
    run = interpreter.Run(GUARDS_ONLY)
    previous, safe_builtins.CURRENT.run = safe_builtins.current(), run
    try:
        safe_builtins._pow(3, 2 ** 99, 2 ** 3000 + 1)  # 100 exponent bits, a 3,001-bit modulus: (3 + 1) ** 2
    finally:
        safe_builtins.CURRENT.run = previous
    assert run.steps == 100 * 16


def test_percent_format_with_a_tuple_where_a_mapping_is_needed_fails_as_python_does():
    refusal("x = '%(a)s' % ('x',)", error=TypeError)


@pytest.mark.parametrize("fmt, args, estimate", [
    ("%s%s", ("a",), 4 + 4 + 3),                # a missing value counts as empty
    ("%((a))s", {"(a)": "v"}, 7 + 4),           # a key that starts with '('
])
def test_percent_formatting_estimate_more(fmt, args, estimate):
    assert sizes.percent_size(fmt, args) == estimate


def test_measure_refuses_before_walking_to_what_it_would_refuse_later():
    with pytest.raises(Abort, match="^this value would produce 9 items; the limit is 8$"):
        sizes.measure([[0] * 6, len], 8, MAX_ITEMS, plain=True)  # the count refuses before len is reached
    with pytest.raises(Abort, match="^this value would produce 8 items; the limit is 7$"):
        sizes.measure([5, [[0, 0, 0, 0]]], 7, MAX_ITEMS)        # counted while 5 still waits on the stack


def test_an_evaluated_container_is_measured_on_its_way_out():
    assert interpreter.evaluate("[1, 2]", {}, {}, Limits(rss_fallback=False)) == [1, 2]


# --- the static check: each refusal's exact words and line -----------------------------------------------

@pytest.mark.parametrize("construct, problems", [
    ("y.a = 2", ["line 2: assigning or deleting an attribute is not allowed"]),
    ("f = s.join", ["line 2: '.join' other than as a direct call is not allowed"]),
    ("try:\n    pass\nfinally:\n    pass", ["line 2: 'finally' is not allowed"]),
    ("try:\n    pass\nexcept OSError:\n    pass", ["line 4: catching anything but ValueError, TypeError, KeyError, "
                                                   "IndexError, ZeroDivisionError, ArithmeticError, LookupError "
                                                   "is not allowed"]),
    ("a[:0] = a", ["line 2: slice assignment is not allowed"]),
    ("x = [y async for y in z]", ["line 2: async comprehension is not allowed"]),
    ("x = '{_a}'.format", ["line 2: attribute 'format' is not allowed",
                           "line 2: a format field naming something starting with '_' is not allowed"]),
    ("x = 0x" + "f" * 4000, ["line 2: an integer literal over 14,000 bits is not allowed"]),
    ("x = f'{a:{b}}'", ["line 2: a computed f-string format spec is not allowed"]),
    ("x = f'{a:99999}'", ["line 2: an f-string width or precision over 9999 is not allowed"]),
])
def test_each_static_refusal_names_its_construct_and_line(construct, problems):
    assert check_source("x = 1\n" + construct) == problems


def test_static_problems_are_listed_by_line():
    assert check_source("y.b = 1\nimport os\nx = eval(1)") == [
        "line 1: assigning or deleting an attribute is not allowed", "line 2: import is not allowed",
        "line 3: name 'eval' is not allowed"]


def test_static_check_refuses_what_it_cannot_check():
    assert check_source(5) == ["source must be a string, not int"]
    with pytest.raises(ValueError, match="^mode must be 'exec' or 'eval'$"):
        check_source("1", "single")


# --- found by the third mutation run: each guard's boundary and exact words ------------------------------

# The operators whose mixed int/non-int operands are checked (interpreter.Run.binop's last branch).
MIXED_OPERATORS = ("%", "//", "**", "-", "&", "|", "^", ">>")


@pytest.mark.parametrize("op", MIXED_OPERATORS)
@pytest.mark.parametrize("source", ["x = n {op} f", "x = f {op} n"])
def test_an_oversized_int_against_a_non_int_is_refused_by_name_on_either_side(op, source):
    # Without the check Python would answer OverflowError or TypeError (or, for a Decimal, compute on it).
    assert refusal(source.format(op=op), n=HUGE, f=1.5) == \
        f"'{op}': an integer operand of {HUGE.bit_length():,} bits is over the limit of {MAX_INT_BITS:,}"


@pytest.mark.parametrize("op", ["+", "*", "/"])
def test_other_operators_leave_an_oversized_int_against_a_float_to_python(op):
    # Python converts the int to a float first and refuses it itself, before anything is allocated.
    assert "too large to convert to float" in refusal(f"x = n {op} f", error=OverflowError, n=HUGE, f=1.5)


def test_power_is_charged_only_when_it_can_grow():
    run = interpreter.Run(GUARDS_ONLY)
    assert (run.binop("**", 5, 0), run.binop("**", 1, 2 ** 20), run.binop("**", -1, 2 ** 20)) == (1, 1, 1)
    assert run.items == 0  # an exponent of 0, a base of 1 or -1: the result is one bit
    assert run.binop("**", 2 ** 100, 1) == 2 ** 100 and run.items == 101  # log2(base) bits per unit of exponent, + 1


def test_power_refusal_names_itself():
    assert refusal(f"x = 2 ** {MAX_INT_BITS + 1}") == \
        f"integer power (bits) would produce {MAX_INT_BITS + 2:,} items; the limit is {MAX_INT_BITS:,}"


def test_a_shift_by_zero_is_not_charged():
    run = interpreter.Run(GUARDS_ONLY)
    assert run.binop("<<", 5, 0) == 5 and run.items == 0
    assert run.binop("<<", 5, 3) == 40 and run.items == 3 + 3  # the operand's bits and the shift


def test_repetition_by_a_non_int_charges_nothing_and_fails_as_python_does():
    run = interpreter.Run(GUARDS_ONLY)
    with pytest.raises(TypeError):
        run.binop("*", "ab", [1])
    assert run.items == 0


def test_concatenation_refusal_names_itself():
    assert refusal("x = a + a", a="x" * 600_000) == \
        f"concatenation would produce 1,200,000 items; the limit is {MAX_ITEMS:,}"


def test_percent_formatting_refusals_name_themselves():
    assert refusal("x = '%*d' % (5, 1)") == "'%' formatting with '*' or a width over 9999"
    # 101 fields of width 9999: the estimate passes the limit on the 100th (606 + 100 x (9999 + 4)) and stops there.
    assert refusal("x = '%9999s' * 101 % t", t=tuple("x" * 101)) == \
        f"'%' formatting would produce 1,000,906 items; the limit is {MAX_ITEMS:,}"


def test_percent_formatting_is_charged_a_step_per_hundred_characters():
    run = interpreter.Run(GUARDS_ONLY)
    assert run.binop("%", "%s", "x" * 1000) == "x" * 1000
    assert (run.items, run.steps) == (2 + 1000 + 3, 1 + 1005 // 100)
    assert type(run.steps) is int


def test_modulo_of_numbers_is_not_formatting():
    assert script("x = 7.5 % 2\ny = 7.5 % 2.0")["x"] == 1.5


def test_a_binary_operator_makes_a_new_value():
    run = interpreter.Run(GUARDS_ONLY)
    a = [1]
    assert run.binop("+", a, [2]) == [1, 2] and a == [1]  # only augmented assignment works in place
    assert script("a = [1]\nb = a + [2]")["a"] == [1]


# --- the step, time and memory budgets at their boundaries --------------------------------------------

def test_the_step_budget_allows_exactly_its_steps():
    run = interpreter.Run(Limits(max_steps=5, max_seconds=1000, rss_fallback=False, exit_checks=False))
    run.charge()
    assert run.steps == 1  # a line costs one step
    run.charge(4)
    with pytest.raises(Abort) as info:
        run.charge()
    assert str(info.value.error) == "script stopped: over 5 steps or 1000s"


def test_the_time_budget_runs_out_after_its_deadline_not_at_it(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(interpreter, "time", SimpleNamespace(monotonic=lambda: now[0]))  # a clock the test moves
    run = interpreter.Run(Limits(max_seconds=2.0, rss_fallback=False, exit_checks=False))
    now[0] = 102.0
    run.charge()  # at the deadline: still allowed
    now[0] = 102.5
    with pytest.raises(Abort, match="over 100,000 steps or 2.0s"):
        run.charge()


def test_rss_fallback_samples_every_64_steps_and_refuses_growth_over_its_limit(monkeypatch):
    base, readings = 400 << 20, []
    growth = [0]

    def fake_rss():
        readings.append(1)
        return base + growth[0]
    monkeypatch.setattr(interpreter, "rss", fake_rss)
    run = interpreter.Run(Limits(max_seconds=1000, exit_checks=False))
    assert len(readings) == 1  # the base
    run.charge()
    assert len(readings) == 2  # the first step samples
    run.charge(63)
    assert len(readings) == 2
    run.charge()  # step 65: 64 steps later
    assert len(readings) == 3
    growth[0] = sandbox_limits.MAX_RSS_GROWTH
    run.charge(64)  # exactly the tolerated growth
    assert len(readings) == 4
    growth[0] += 1
    with pytest.raises(Abort) as info:
        run.charge(64)
    assert str(info.value.error) == f"script used over {sandbox_limits.MAX_RSS_GROWTH >> 20} MB of memory"
    assert sandbox_limits.MAX_RSS_GROWTH >> 20 == 512


# --- running a script: what goes in, what comes out, which line failed ---------------------------------------

def test_a_script_works_on_a_deep_copy_of_the_task_data():
    context = {"a": [1, 2]}
    with pytest.raises(ZeroDivisionError):
        interpreter.execute("a.append(3)\nx = 1 // 0", context, {}, GUARDS_ONLY)
    assert context == {"a": [1, 2]}


def test_external_names_and_functions_are_not_task_data():
    scope = interpreter.execute("def f():\n    return limit\nx = f()", {"a": 1}, {"limit": 5, "helper": len},
                                GUARDS_ONLY)
    assert scope == {"a": 1, "x": 5}


def test_a_run_restores_the_run_it_was_nested_in():
    outer = interpreter.Run(GUARDS_ONLY)
    previous, safe_builtins.CURRENT.run = safe_builtins.current(), outer
    try:
        assert interpreter.evaluate("str(1)", {}, {}, GUARDS_ONLY) == "1"
        assert safe_builtins.current() is outer  # a helper calling the sandbox leaves the caller's budget in place
    finally:
        safe_builtins.CURRENT.run = previous
    assert outer.steps == 0


def test_no_run_on_a_fresh_thread():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(safe_builtins.current()))
    thread.start()
    thread.join()
    assert seen == [None]


def _error_of(source: str, **context) -> BaseException:
    with pytest.raises(Exception) as info:
        interpreter.execute(source, context, {}, GUARDS_ONLY)
    return info.value


def test_line_of_names_the_last_sandboxed_line_of_the_traceback():
    assert interpreter.line_of(_error_of("a = 1\nb = {}\nc = b[5]")) == 3
    assert interpreter.line_of(_error_of("a = 1\nb = int('x')")) == 2          # raised inside a checked builtin
    assert interpreter.line_of(_error_of("def f():\n    return 1 // 0\nx = f()")) == 2  # inside the function
    assert interpreter.line_of(ValueError("never raised")) is None
    try:
        raise ValueError("raised here, not in a script")
    except ValueError as error:
        assert interpreter.line_of(error) is None


def test_nesting_depth_limit_at_its_boundary():
    deepest = 97  # Module, Assign, then each list and, under the innermost, its Load context: 100 levels
    assert check_source("x = " + "[" * deepest + "]" * deepest) == []
    assert check_source("x = " + "[" * (deepest + 1) + "]" * (deepest + 1)) == [
        "source is too complex (over 5,000 syntax nodes or 100 levels)"]


def test_the_lazy_names_of_the_package_are_the_script_engine_s():
    import engine.sandbox as sandbox
    from engine.sandbox import script_engine
    for name in ("SandboxEnvironment", "SandboxedScriptEngine", "FUNCTIONS", "register_function"):
        assert getattr(sandbox, name) is getattr(script_engine, name)
    with pytest.raises(AttributeError, match="^no_such_name$"):
        sandbox.no_such_name


def test_percent_estimate_measures_every_value_after_none():
    # None is a value like any other: the values after it are measured too (not looked up as if seen before).
    assert sizes.percent_size("%s %s", (None, "a")) == 5 + 100 + 4
    assert script("x = '%s %s' % (n, 'a')", n=None)["x"] == "None a"


def test_replace_with_non_text_arguments_fails_in_python_s_words():
    run = interpreter.Run(GUARDS_ONLY)
    with pytest.raises(TypeError, match="^replace\\(\\) argument 2 must be str, not None$"):
        run.method("aaaa", "replace", "a", None)  # measured only when both are text; Python explains the rest
    with pytest.raises(TypeError, match="^replace\\(\\) argument 1 must be str, not int$"):
        run.method("aaaa", "replace", 5, "b")
    assert run.items == 0


def test_a_set_display_without_a_star_is_not_charged_as_unpacking():
    charged_so_far = []

    def probe():
        charged_so_far.append(safe_builtins.current().items)
    interpreter.execute("probe()\ns = {1, 2, 3}\nt = {*s, 4}\nprobe()", {}, {"probe": probe}, GUARDS_ONLY)
    assert charged_so_far[1] - charged_so_far[0] == 4  # only the starred display: its four elements


def test_source_length_limit_at_its_boundary():
    from engine.sandbox.checks import MAX_SOURCE_CHARS
    exact = "x = 1\n#" + "c" * (MAX_SOURCE_CHARS - 7)
    assert len(exact) == MAX_SOURCE_CHARS and check_source(exact) == []
    assert check_source(exact + "c") == [f"source is {MAX_SOURCE_CHARS + 1:,} characters; the limit is 20,000"]


def test_syntax_node_limit_at_its_boundary():
    """Every node counts once, the root included: a list display of k names is 3 + 2k nodes in eval mode
    (Expression, List and its Load, then each Name and its Load); one constant more makes the count odd."""
    import ast

    from engine.sandbox.checks import MAX_AST_NODES

    def source(nodes: int) -> str:
        names, odd = divmod(nodes - 3, 2)
        return "[" + ", ".join(["a"] * names + ["1"] * odd) + "]"

    for nodes in (MAX_AST_NODES - 1, MAX_AST_NODES):
        assert sum(1 for _ in ast.walk(ast.parse(source(nodes), mode="eval"))) == nodes
        assert check_source(source(nodes), "eval") == []
    assert check_source(source(MAX_AST_NODES + 1), "eval") == [
        "source is too complex (over 5,000 syntax nodes or 100 levels)"]


def test_an_exception_handler_may_not_bind_a_private_name():
    assert check_source("try:\n    x = 1\nexcept ValueError as _e:\n    x = 2") == [
        "line 3: '_e' (names starting with '_') is not allowed"]


def test_a_script_keeps_its_leading_lines_so_errors_name_the_designer_s_line():
    """Only an expression is stripped (eval tolerates surrounding whitespace); a script's line numbers must
    stay those of the designer's text."""
    assert check_source("\n\nx = _y") == ["line 3: '_y' (names starting with '_') is not allowed"]
    assert check_source("\n\n  x = 1")[0].startswith("line 3: syntax error")
