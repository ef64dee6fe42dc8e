"""Query parameters of /api/v1 checked as the OpenAPI document declares them, before any service runs.

`request.args.get(name, type=int)` turns `?page=null` or `?industry_id=` into the default silently, so a client's
mistake became a different answer than it asked for. Here an integer parameter that is present must be an integer
within its bounds, or the request is refused with a 400 problem document naming the parameter.
"""
from flask import request

from services.errors import DomainError


MAX_PAGE = 1_000_000  # pages of at least one row: beyond a million there is nothing, and offsets stay small
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns; a bigger number cannot name a row (and PostgreSQL errs on it)


class BadQuery(DomainError):
    status = 400
    title = "查询参数有误"


def integer(name: str, default: int | None = None, *, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    text = raw.strip()
    if not text or not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 40:
        raise BadQuery(f"参数 {name} 应为整数，收到「{raw[:40]}」", parameter=name)
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f"{minimum if minimum is not None else '…'}–{maximum if maximum is not None else '…'}"
        raise BadQuery(f"参数 {name} 应在 {bounds} 之间，收到 {value}", parameter=name)
    return value


def text(name: str) -> str | None:
    """A free-text parameter without control characters (a NUL breaks text parameters on PostgreSQL)."""
    value = "".join(c for c in request.args.get(name) or "" if c >= " " and c != "\x7f").strip()
    return value or None


def integers(*names: str) -> None:
    """Check the optional id filters an endpoint passes on to the services as text."""
    for name in names:
        integer(name, minimum=1, maximum=MAX_ID)
