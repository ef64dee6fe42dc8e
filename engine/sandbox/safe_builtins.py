"""The builtins sandboxed code sees: the harmless ones as they are, the rest replaced by checked versions.

str() and int() measure first (the repr of shared references can explode; int('9' * 4300) is over
the integer cap), sum() adds numbers only, round(), divmod() and pow() check their integers, and the
import hook lets C code such as strftime import only what it needs. The date types are there for
timer and deadline arithmetic.
"""
from __future__ import annotations

import builtins
import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from engine.sandbox import limits as L
from engine.sandbox.checks import CATCHABLE
from engine.sandbox.sizes import check_int_operands, int_too_big, text_size


CURRENT = threading.local()  # the Run of the code running on this thread, if any


def current() -> Any:
    return getattr(CURRENT, "run", None)


class _StrType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, str)


class _SafeStr(str, metaclass=_StrType):
    """The sandbox's str: str(x) is size-checked first (the repr of shared references can
    explode), while isinstance(x, str) and str.upper & co. keep working."""

    def __new__(cls, value: Any = "", *args: Any) -> str:  # type: ignore[misc]
        size = text_size(value, "str()")
        run = current()  # charged, so map(str, ...) still meets the deadline
        if run is not None:
            run.charge(1 + size // 100)
        return str(value, *args)


class _IntType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, int)


class SafeInt(int, metaclass=_IntType):
    """The sandbox's int: int(x) refuses results over MAX_INT_BITS (int('9' * 4300) is 14,285 bits;
    a Decimal's exponent is checked before it is expanded)."""

    def __new__(cls, value: Any = 0, *args: Any) -> int:  # type: ignore[misc]
        if isinstance(value, Decimal) and value.is_finite() and value.adjusted() * 3.33 > L.MAX_INT_BITS:
            raise int_too_big("int()", int(value.adjusted() * 3.33))
        result = int(value, *args)
        if result.bit_length() > L.MAX_INT_BITS:
            raise int_too_big("int()", result.bit_length())
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
    total = sum(iterable, start)
    if isinstance(total, int) and total.bit_length() > L.MAX_INT_BITS:  # each term is capped; n of them add log2(n) bits
        raise int_too_big("sum()", total.bit_length())
    return total


def _round(number: Any, ndigits: int | None = None) -> Any:
    if ndigits is not None and abs(ndigits) > 100:  # round(1, -10**9) computes 10**(10**9)
        raise ValueError("round() ndigits must be between -100 and 100")
    return round(number, ndigits)


def _divmod(a: Any, b: Any) -> Any:
    check_int_operands("divmod()", a, b)
    return divmod(a, b)


def _pow(base: Any, exp: Any, mod: Any = None) -> Any:
    run = current()
    if mod is None:
        return run.binop("**", base, exp) if run else base ** exp
    check_int_operands("pow()", base, exp, mod)
    if run is not None and isinstance(exp, int) and isinstance(mod, int):
        # one modular multiplication per exponent bit, each quadratic in the modulus' size
        run.charge(exp.bit_length() * (mod.bit_length() // 1000 + 1) ** 2)
    return pow(base, exp, mod)


SAFE_BUILTINS: dict[str, Any] = {
    **{name: getattr(builtins, name) for name in (
        "abs all any bool dict enumerate filter float isinstance len list map max min "
        "reversed set sorted tuple zip").split() + list(CATCHABLE)},
    "str": _SafeStr, "int": SafeInt, "sum": _sum, "round": _round, "divmod": _divmod, "pow": _pow,
    "__import__": _import,
    # For timers and date arithmetic, e.g. (start_date + timedelta(days=3)).isoformat().
    "datetime": datetime, "date": date, "timedelta": timedelta, "timezone": timezone,
}
