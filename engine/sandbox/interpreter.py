"""Run checked, rewritten code in this process under the sandbox's budgets.

The pool's workers call run() for every evaluation; nothing else should (the parent process
keeps no hostile code in its own interpreter). _Run bounds steps and time with a per-thread
sys.settrace counter, caps the size of every guarded operation before it allocates (per
operation and cumulatively), and only plain data may leave.
"""
from __future__ import annotations

import builtins
import contextlib
import copy
import itertools
import math
import operator
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, time as dtime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

from engine.sandbox import limits as L
from engine.sandbox.checks import CATCHABLE, FILENAME
from engine.sandbox.guard import compile_checked
from engine.sandbox.limits import Limits, ScriptLimitExceeded, ScriptTimeout

_APPLY = {"*": operator.mul, "**": operator.pow, "<<": operator.lshift, ">>": operator.rshift,
          "+": operator.add, "-": operator.sub, "%": operator.mod, "//": operator.floordiv,
          "/": operator.truediv, "&": operator.and_, "|": operator.or_, "^": operator.xor, "@": operator.matmul}
_INPLACE = {"*": operator.imul, "**": operator.ipow, "<<": operator.ilshift, ">>": operator.irshift,
            "+": operator.iadd, "-": operator.isub, "%": operator.imod, "//": operator.ifloordiv,
            "/": operator.itruediv, "&": operator.iand, "|": operator.ior, "^": operator.ixor, "@": operator.imatmul}
_WIDE_PERCENT = re.compile(r"%[^a-zA-Z%]*(?:\*|\d{5,})")
_PERCENT_TAIL = re.compile(r"[-+ #0]*(\d+)?(?:\.(\d+))?[hlL]?(.)?", re.S)
_SEQUENCES = (str, bytes, list, tuple)
_PLAIN = (type(None), bool, int, float, complex, Decimal, date, dtime, timedelta, tzinfo, range)
# keyword names of each guarded method's size-deciding argument, so f(width=...) is measured too
_SIZE_KEYWORD = {"ljust": "width", "rjust": "width", "center": "width", "zfill": "width", "expandtabs": "tabsize",
                 "to_bytes": "length", "from_bytes": "bytes", "join": "iterable", "extend": "iterable",
                 "translate": "table", "replace": "old"}


class Abort(BaseException):
    """Carries a public error out of the script; a BaseException so no handler catches it."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def too_big(what: str, size: int, limit: int) -> Abort:
    return Abort(ScriptLimitExceeded(f"{what} would produce {size:,} items; the limit is {limit:,}"))


def _int_too_big(what: str, bits: int) -> Abort:
    return Abort(ScriptLimitExceeded(f"{what} would make an integer of {bits:,} bits; the limit is {L.MAX_INT_BITS:,}"))


def measure(value: Any, max_nodes: int, max_chars: int, plain: bool = False,
            what: str = "this value") -> tuple[int, int]:
    """(nodes, characters) of value as repr/str would print it: shared references count every time,
    an integer counts its digits, a container its separators. With plain=True (data leaving the
    sandbox) also reject anything but plain data, integers over MAX_INT_BITS (they could not be
    saved) and nesting deeper than MAX_DATA_DEPTH (deepcopy/JSON would hit RecursionError)."""
    nodes = chars = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if isinstance(item, (str, bytes)):
            chars += len(item) + 3
        elif isinstance(item, (dict, list, tuple, set, frozenset)):
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            if nodes + len(stack) + len(children) > max_nodes:  # check before the stack grows
                raise too_big(what, nodes + len(stack) + len(children), max_nodes)
            if plain and depth >= L.MAX_DATA_DEPTH:
                raise ScriptLimitExceeded(f"data nested deeper than {L.MAX_DATA_DEPTH} levels")
            chars += 2 + 2 * len(children)
            stack.extend(zip(children, itertools.repeat(depth + 1)))
        elif isinstance(item, int):
            bits = item.bit_length()
            if plain and bits > L.MAX_INT_BITS:
                raise ScriptLimitExceeded(f"an integer of {bits:,} bits cannot leave the sandbox; "
                                          f"the limit is {L.MAX_INT_BITS:,}")
            chars += bits * 3 // 10 + 2
        elif plain and not isinstance(item, _PLAIN):
            raise TypeError(f"a {type(item).__name__} cannot leave the sandbox; only plain data can")
        else:
            chars += 100  # floats, dates, times: their longest repr with a timezone
        if chars > max_chars:
            raise too_big(what, chars, max_chars)
    return nodes, chars


def text_size(value: Any, what: str = "this value") -> int:
    return measure(value, L.MAX_ITEMS, L.MAX_ITEMS, what=what)[1]


def rss() -> int:
    """Resident memory in bytes; 0 without /proc (then only the other limits apply)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


_CURRENT = threading.local()  # the _Run of the code running on this thread, if any


def _current() -> "_Run | None":
    return getattr(_CURRENT, "run", None)


class _StrType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, str)


class _SafeStr(str, metaclass=_StrType):
    """The sandbox's str: str(x) is size-checked first (the repr of shared references can
    explode), while isinstance(x, str) and str.upper & co. keep working."""

    def __new__(cls, value: Any = "", *args: Any) -> str:  # type: ignore[misc]
        size = text_size(value, "str()")
        run = _current()  # charged, so map(str, ...) still meets the deadline
        if run is not None:
            run.charge(1 + size // 100)
        return str(value, *args)


class _IntType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, int)


class _SafeInt(int, metaclass=_IntType):
    """The sandbox's int: int(x) refuses results over MAX_INT_BITS (int('9' * 4300) is 14,285 bits;
    a Decimal's exponent is checked before it is expanded)."""

    def __new__(cls, value: Any = 0, *args: Any) -> int:  # type: ignore[misc]
        if isinstance(value, Decimal) and value.is_finite() and value.adjusted() * 3.33 > L.MAX_INT_BITS:
            raise _int_too_big("int()", int(value.adjusted() * 3.33))
        result = int(value, *args)
        if result.bit_length() > L.MAX_INT_BITS:
            raise _int_too_big("int()", result.bit_length())
        return result


def _import(name: str, *args: Any, **kwargs: Any) -> Any:
    # Not reachable from scripts ('__import__' is a banned name), but C code such as
    # datetime.strftime/strptime imports through the running code's builtins.
    if name not in ("time", "_strptime"):
        raise ImportError(f"import of {name!r} is not allowed")
    return builtins.__import__(name, *args, **kwargs)


def _sum(iterable: Any, start: int | float = 0) -> Any:
    if not isinstance(start, (int, float)):  # sum(lists, []) is quadratic and unchecked
        raise TypeError("sum() only adds numbers here")
    return sum(iterable, start)


def _round(number: Any, ndigits: int | None = None) -> Any:
    if ndigits is not None and abs(ndigits) > 100:  # round(1, -10**9) computes 10**(10**9)
        raise ValueError("round() ndigits must be between -100 and 100")
    return round(number, ndigits)


def _check_int_operands(what: str, *values: Any) -> None:
    for value in values:
        if isinstance(value, int) and value.bit_length() > L.MAX_INT_BITS:
            raise Abort(ScriptLimitExceeded(f"{what}: an integer operand of {value.bit_length():,} bits "
                                            f"is over the limit of {L.MAX_INT_BITS:,}"))


def _divmod(a: Any, b: Any) -> Any:
    _check_int_operands("divmod()", a, b)
    return divmod(a, b)


def _pow(base: Any, exp: Any, mod: Any = None) -> Any:
    run = _current()
    if mod is None:
        return run.binop("**", base, exp) if run else base ** exp
    _check_int_operands("pow()", base, exp, mod)
    if run is not None and isinstance(exp, int) and isinstance(mod, int):
        # one modular multiplication per exponent bit, each quadratic in the modulus' size
        run.charge(exp.bit_length() * (mod.bit_length() // 1000 + 1) ** 2)
    return pow(base, exp, mod)


SAFE_BUILTINS: dict[str, Any] = {
    **{name: getattr(builtins, name) for name in (
        "abs all any bool dict enumerate filter float isinstance len list map max min "
        "reversed set sorted tuple zip").split() + list(CATCHABLE)},
    "str": _SafeStr, "int": _SafeInt, "sum": _sum, "round": _round, "divmod": _divmod, "pow": _pow,
    "__import__": _import,
    # For timers and date arithmetic, e.g. (start_date + timedelta(days=3)).isoformat().
    "datetime": datetime, "date": date, "timedelta": timedelta, "timezone": timezone,
}


def _percent_size(fmt: str, args: Any) -> int:
    """An upper bound of len(fmt % args): each conversion's width and precision plus its value's size."""
    total, index, position = len(fmt), 0, 0
    sizes: dict[int, int] = {}
    mapping = args if isinstance(args, dict) else None
    positional = args if isinstance(args, tuple) else (args,)
    while (index := fmt.find("%", index)) >= 0:
        index += 1
        key = None
        if fmt.startswith("(", index):  # a mapping key may nest parentheses, as CPython counts them
            depth, end = 1, index + 1
            while end < len(fmt) and depth:
                depth += {"(": 1, ")": -1}.get(fmt[end], 0)
                end += 1
            key, index = fmt[index + 1:end - 1], end
        tail = _PERCENT_TAIL.match(fmt, index)
        width, precision, conversion = tail.groups()
        index = tail.end()
        if conversion == "%" and key is None:
            continue
        if mapping is not None and key is not None:
            value = mapping.get(key, "")
        elif position < len(positional):
            value, position = positional[position], position + 1
        else:
            value = ""
        if id(value) not in sizes:  # '%(a)s' * 1000 measures a once
            sizes[id(value)] = text_size(value, "'%' formatting")
        size = sizes[id(value)] * (6 if conversion in ("r", "a") else 1)  # escapes: '\u4e2d' for '中'
        if isinstance(value, (float, Decimal)):
            size += 330  # '%f' % 1e308 prints all 309 digits
        total += int(width or 0) + int(precision or 0) + size
        if total > L.MAX_ITEMS:
            break  # already refused: measuring the rest would only cost time
    return total


class Run:
    """One evaluation's budget, plus the helpers the rewritten code calls."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.steps = self.items = self.next_rss_check = 0
        self.rss_base = rss() if limits.rss_fallback else 0

    def builtins(self) -> dict[str, Any]:
        return {**SAFE_BUILTINS, "range": self.range, "__sbx_binop": self.binop, "__sbx_augitem": self.augitem,
                "__sbx_method": self.method, "__sbx_text": self.text, "__sbx_unpack": self.unpack}

    def charge(self, steps: int = 1) -> None:
        self.steps += max(steps, 1)  # nothing gives steps back
        if self.steps > self.limits.max_steps or time.monotonic() > self.deadline:
            raise Abort(ScriptTimeout(
                f"script stopped: over {self.limits.max_steps:,} steps or {self.limits.max_seconds}s"))
        if self.rss_base and self.steps >= self.next_rss_check:  # growth the size checks cannot see
            self.next_rss_check = self.steps + 64
            if rss() - self.rss_base > L.MAX_RSS_GROWTH:
                raise Abort(ScriptLimitExceeded(f"script used over {L.MAX_RSS_GROWTH >> 20} MB of memory"))

    def trace(self, frame: Any, event: str, arg: Any) -> Any:
        # 'call' events: count sandboxed frames only; our helpers charge for themselves.
        if frame.f_code.co_filename != FILENAME:
            return None
        self.charge()
        return self.trace_lines

    def trace_lines(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":  # also fires on every backward jump, so each loop turn counts
            self.charge()
        return self.trace_lines

    def produce(self, size: int, what: str, limit: int = L.MAX_ITEMS) -> None:
        if size > limit:
            raise too_big(what, size, limit)
        self.items += size
        if self.items > L.MAX_TOTAL_ITEMS:
            raise too_big("this run", self.items, L.MAX_TOTAL_ITEMS)

    def text(self, value: Any, pad: int = 0) -> Any:
        size = text_size(value, "f-string field") + pad
        self.produce(size, "f-string field")
        self.charge(1 + size // 100)
        return value

    def range(self, *args: int) -> range:
        result = range(*args)
        try:
            size = len(result)
        except OverflowError:
            size = sys.maxsize
        if size > L.MAX_ITEMS:
            raise too_big("range()", size, L.MAX_ITEMS)
        return result

    def unpack(self, kind: str, parts: list, starred: tuple) -> Any:
        parts = [p if not star or isinstance(p, (list, tuple, str, bytes, dict, set, frozenset, range)) else list(p)
                 for p, star in zip(parts, starred)]
        self.produce(sum(len(p) if star else 1 for p, star in zip(parts, starred)), "unpacking")
        out: list = []
        for part, star in zip(parts, starred):
            out.extend(part) if star else out.append(part)
        return {"list": list, "tuple": tuple, "set": set}[kind](out)

    def _int_binop(self, op: str, a: int, b: int) -> None:
        _check_int_operands(f"'{op}'", a, b)
        ba, bb = a.bit_length(), b.bit_length()
        if op == "*":
            self.produce(ba + bb, "integer multiplication (bits)", L.MAX_INT_BITS)
        elif op == "**" and b > 0 and abs(a) > 1:
            self.produce(int(b * math.log2(abs(a))) + 1, "integer power (bits)", L.MAX_INT_BITS)
        elif op == "<<" and a and b > 0:
            self.produce(ba + b, "left shift (bits)", L.MAX_INT_BITS)
        elif op in ("+", "-") and max(ba, bb) + 1 > L.MAX_INT_BITS:
            raise _int_too_big(f"'{op}'", max(ba, bb) + 1)

    def binop(self, op: str, a: Any, b: Any, inplace: bool = False) -> Any:
        if isinstance(a, int) and isinstance(b, int):
            self._int_binop(op, a, b)
        elif op == "*" and isinstance(a, _SEQUENCES + (int,)) and isinstance(b, _SEQUENCES + (int,)):
            seq, count = (a, b) if isinstance(b, int) else (b, a)
            self.produce(len(seq) * max(count, 0) if isinstance(count, int) else 0, "repetition")
        elif op == "+" and isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
            self.produce(len(a) + len(b), "concatenation")
        elif op == "%" and isinstance(a, (str, bytes)):
            fmt = a if isinstance(a, str) else a.decode("latin-1")
            if _WIDE_PERCENT.search(fmt):
                raise Abort(ScriptLimitExceeded("'%' formatting with '*' or a width over 9999"))
            size = _percent_size(fmt, b)
            self.produce(size, "'%' formatting")
            self.charge(1 + size // 100)
        elif op in ("%", "//", "**", "-", "&", "|", "^", ">>") and isinstance(a, int) != isinstance(b, int):
            _check_int_operands(f"'{op}'", a, b)  # e.g. a float or Decimal against a smuggled huge int
        return (_INPLACE if inplace else _APPLY)[op](a, b)

    def augitem(self, container: Any, key: Any, op: str, value: Any) -> None:
        container[key] = self.binop(op, container[key], value, inplace=True)

    def method(self, obj: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "from_bytes":  # a classmethod: int.from_bytes(b'...') is the usual spelling
            if not (obj is _SafeInt or obj is int or (isinstance(obj, int) and not isinstance(obj, type))):
                raise TypeError("from_bytes() is only available on int")
            data = args[0] if args else kwargs.get("bytes", b"")
            data = data if isinstance(data, (bytes, list, tuple)) else bytes(data)
            self.produce(len(data) * 8, "int.from_bytes() (bits)", L.MAX_INT_BITS)
            return int.from_bytes(data, *args[1:], **{k: v for k, v in kwargs.items() if k != "bytes"})
        if isinstance(obj, type):  # str.join(sep, items) would dodge the checks below
            raise TypeError(f"call .{name}() on a value, not on a type")
        first = args[0] if args else kwargs.get(_SIZE_KEYWORD[name])
        size, text = None, isinstance(obj, (str, bytes))
        if name in ("join", "extend") and first is not None:  # materialise once, then measure
            first = list(first)
            args, kwargs = (first, *args[1:]), {k: v for k, v in kwargs.items() if k != _SIZE_KEYWORD[name]}
            size = len(obj) + len(first) if name == "extend" else \
                len(obj) * len(first) + sum(len(i) for i in first if isinstance(i, (str, bytes)))
        elif name == "replace" and text:
            new = args[1] if len(args) > 1 else kwargs.get("new")
            count = args[2] if len(args) > 2 else kwargs.get("count", -1)
            if isinstance(first, (str, bytes)) and isinstance(new, (str, bytes)):
                hits = obj.count(first)
                hits = min(hits, count) if isinstance(count, int) and count >= 0 else hits
                size = len(obj) + hits * max(len(new) - len(first), 0)
        elif name in ("ljust", "rjust", "center", "zfill", "to_bytes"):
            size = 1 if first is None else first
        elif name == "expandtabs" and text and isinstance(first, (int, type(None))):
            size = len(obj) + obj.count(b"\t" if isinstance(obj, bytes) else "\t") * (8 if first is None else first)
        elif name == "translate" and isinstance(obj, str) and isinstance(first, (dict, list, tuple)):
            values = first.values() if isinstance(first, dict) else first
            size = len(obj) * max((len(v) for v in values if isinstance(v, str)), default=1)
        if isinstance(size, int):
            self.produce(size, f"{type(obj).__name__}.{name}()")
        return getattr(obj, name)(*args, **kwargs)  # name is a checked constant from the source


@contextlib.contextmanager
def surface() -> Any:
    """Turn an abort into its public exception, keeping the traceback (and so the line)."""
    try:
        yield
    except Abort as abort:
        raise abort.error.with_traceback(abort.__traceback__) from None


def _run(code: Any, scope: dict, limits: Limits) -> Any:
    run = Run(limits)
    scope["__builtins__"] = run.builtins()
    previous, outer_run = sys.gettrace(), _current()
    _CURRENT.run = run
    sys.settrace(run.trace)  # per thread, so this also works off the main thread (no signals)
    try:
        return eval(code, scope)
    finally:
        sys.settrace(previous)
        _CURRENT.run = outer_run
        scope.pop("__builtins__", None)


def evaluate(expression: str, context: dict, external: dict, limits: Limits) -> Any:
    code = compile_checked(expression, "eval")
    with surface():
        result = _run(code, {**external, **context}, limits)
        if limits.exit_checks:
            measure(result, L.MAX_DATA_NODES, L.MAX_DATA_CHARS, plain=True)
    return result


def execute(script: str, context: dict, external: dict, limits: Limits) -> dict:
    """Run a script on a copy of context; returns the new task data (functions and external names removed)."""
    code = compile_checked(script, "exec")
    scope = {**copy.deepcopy(context), **external}
    with surface():
        _run(code, scope, limits)
        for key in [k for k, v in scope.items() if k in external or callable(v)]:
            del scope[key]  # as in the base class: functions and external names are not task data
        if limits.exit_checks:
            measure(scope, L.MAX_DATA_NODES, L.MAX_DATA_CHARS, plain=True)
    return scope


def line_of(error: BaseException) -> int | None:
    """The line of the sandboxed source the error was raised on, if any."""
    tb, line = error.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


FunctionProxy = Callable[..., Any]
