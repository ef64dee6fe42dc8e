"""Measuring values before the sandbox builds them: how big a value prints, how big a '%' result can be.

Every helper here is bounded by the limit it checks against (it stops counting once over), so
measuring a hostile value costs at most about as much as the limit allows.
"""
from __future__ import annotations

import itertools
import os
import re
from datetime import date, time as dtime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from engine.sandbox import limits as L
from engine.sandbox.limits import ScriptLimitExceeded

_PERCENT_TAIL = re.compile(r"[-+ #0]*(\d+)?(?:\.(\d+))?[hlL]?(.)?", re.S)
_CONTAINERS = (dict, list, tuple, set, frozenset)
_PLAIN = (type(None), bool, int, float, complex, Decimal, date, dtime, timedelta, tzinfo, range)


class Abort(BaseException):
    """Carries a public error out of the script; a BaseException so no handler catches it."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def too_big(what: str, size: int, limit: int) -> Abort:
    return Abort(ScriptLimitExceeded(f"{what} would produce {size:,} items; the limit is {limit:,}"))


def int_too_big(what: str, bits: int) -> Abort:
    return Abort(ScriptLimitExceeded(f"{what} would make an integer of {bits:,} bits; the limit is {L.MAX_INT_BITS:,}"))


def measure(value: Any, max_nodes: int, max_chars: int, plain: bool = False,
            what: str = "this value") -> tuple[int, int]:
    """(nodes, characters) of value as repr/str would print it: shared references count every time,
    an integer counts its digits, a container its separators. With plain=True (data leaving the
    sandbox) also reject anything but plain data, integers over MAX_INT_BITS (they could not be
    saved) and nesting deeper than MAX_DATA_DEPTH (deepcopy/JSON would hit RecursionError)."""
    nodes = chars = 0
    stack = [(value, 0)]
    # Elements of containers on the stack, not yet on it themselves: with them the node count is known early,
    # so [big_list] * 100 is refused after looking at 100 items, not after walking a million.
    pending = len(value) if isinstance(value, _CONTAINERS) else 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if isinstance(item, (str, bytes)):
            chars += len(item) + 3
        elif isinstance(item, _CONTAINERS):
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending += sum(len(c) for c in children if isinstance(c, _CONTAINERS)) - len(item)
            if nodes + len(stack) + len(children) + pending > max_nodes:  # check before the stack grows
                raise too_big(what, nodes + len(stack) + len(children) + pending, max_nodes)
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


def text_size(value: Any, what: str) -> int:
    return measure(value, L.MAX_ITEMS, L.MAX_ITEMS, what=what)[1]


def rss() -> int:
    """Resident memory in bytes; 0 without /proc (then only the other limits apply)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def check_int_operands(what: str, *values: Any) -> None:
    for value in values:
        if isinstance(value, int) and value.bit_length() > L.MAX_INT_BITS:
            raise Abort(ScriptLimitExceeded(f"{what}: an integer operand of {value.bit_length():,} bits "
                                            f"is over the limit of {L.MAX_INT_BITS:,}"))


def percent_size(fmt: str, args: Any) -> int:
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
