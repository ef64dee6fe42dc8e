"""Run checked, rewritten code in this process under the sandbox's budgets.

The pool's workers call evaluate()/execute() for every evaluation; nothing else should (the parent
process keeps no hostile code in its own interpreter; tests and the benchmark run it in process on
purpose). Run bounds steps and time with a per-thread sys.settrace counter, caps the size of every
guarded operation before it allocates (per operation and cumulatively), and only plain data may leave.
"""
from __future__ import annotations

import contextlib
import copy
import math
import operator
import re
import sys
import time
from typing import Any

from engine.sandbox import limits as L
from engine.sandbox import safe_builtins
from engine.sandbox.checks import FILENAME
from engine.sandbox.guard import compile_checked
from engine.sandbox.limits import Limits, ScriptLimitExceeded, ScriptTimeout
from engine.sandbox.sizes import (  # noqa: F401 - measure, rss: used by the worker and the tests through here
    Abort, check_int_operands, int_too_big, measure, percent_size, rss, text_size, too_big)

_APPLY = {"*": operator.mul, "**": operator.pow, "<<": operator.lshift, ">>": operator.rshift,
          "+": operator.add, "-": operator.sub, "%": operator.mod, "//": operator.floordiv,
          "/": operator.truediv, "&": operator.and_, "|": operator.or_, "^": operator.xor, "@": operator.matmul}
_INPLACE = {"*": operator.imul, "**": operator.ipow, "<<": operator.ilshift, ">>": operator.irshift,
            "+": operator.iadd, "-": operator.isub, "%": operator.imod, "//": operator.ifloordiv,
            "/": operator.itruediv, "&": operator.iand, "|": operator.ior, "^": operator.ixor, "@": operator.imatmul}
_WIDE_PERCENT = re.compile(r"%[^a-zA-Z%]*(?:\*|\d{5,})")
_SEQUENCES = (str, bytes, list, tuple)
# keyword names of each guarded method's size-deciding argument, so f(width=...) is measured too
_SIZE_KEYWORD = {"ljust": "width", "rjust": "width", "center": "width", "zfill": "width", "expandtabs": "tabsize",
                 "to_bytes": "length", "from_bytes": "bytes", "join": "iterable", "extend": "iterable",
                 "translate": "table", "replace": "old"}


class Run:
    """One evaluation's budget, plus the helpers the rewritten code calls."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.steps = self.items = self.next_rss_check = 0
        self.rss_base = rss() if limits.rss_fallback else 0

    def builtins(self) -> dict[str, Any]:
        return {**safe_builtins.SAFE_BUILTINS, "range": self.range, "__sbx_binop": self.binop, "__sbx_augitem": self.augitem,
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
        check_int_operands(f"'{op}'", a, b)
        ba, bb = a.bit_length(), b.bit_length()
        if op == "*":
            self.produce(ba + bb, "integer multiplication (bits)", L.MAX_INT_BITS)
        elif op == "**" and b > 0 and abs(a) > 1:
            self.produce(int(b * math.log2(abs(a))) + 1, "integer power (bits)", L.MAX_INT_BITS)
        elif op == "<<" and a and b > 0:
            self.produce(ba + b, "left shift (bits)", L.MAX_INT_BITS)
        elif op in ("+", "-") and max(ba, bb) + 1 > L.MAX_INT_BITS:
            raise int_too_big(f"'{op}'", max(ba, bb) + 1)

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
            size = percent_size(fmt, b)
            self.produce(size, "'%' formatting")
            self.charge(1 + size // 100)
        elif op in ("%", "//", "**", "-", "&", "|", "^", ">>") and isinstance(a, int) != isinstance(b, int):
            check_int_operands(f"'{op}'", a, b)  # e.g. a float or Decimal against a smuggled huge int
        return (_INPLACE if inplace else _APPLY)[op](a, b)

    def augitem(self, container: Any, key: Any, op: str, value: Any) -> None:
        container[key] = self.binop(op, container[key], value, inplace=True)

    def method(self, obj: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "from_bytes":  # a classmethod: int.from_bytes(b'...') is the usual spelling
            if not (obj is safe_builtins.SafeInt or obj is int or (isinstance(obj, int) and not isinstance(obj, type))):
                raise TypeError("from_bytes() is only available on int")
            data = args[0] if args else kwargs.get("bytes")
            if isinstance(data, (int, str)):  # bytes(10**9) would allocate before anything is measured
                raise TypeError(f"cannot convert '{type(data).__name__}' object to bytes")
            data = bytes(data)  # one copy of any iterable of ints, measured below
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
    previous, outer_run = sys.gettrace(), safe_builtins.current()
    safe_builtins.CURRENT.run = run
    sys.settrace(run.trace)  # per thread, so this also works off the main thread (no signals)
    try:
        return eval(code, scope)
    finally:
        sys.settrace(previous)
        safe_builtins.CURRENT.run = outer_run
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
