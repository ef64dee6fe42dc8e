"""Frames between the parent and a sandbox worker: a 4-byte length, then a pickle.

The parent trusts what it sends; what comes back is read with an unpickler that only knows
plain data types, so even a worker whose interpreter were subverted could not make the parent
build anything else (pickle would otherwise call arbitrary importable callables).
"""
from __future__ import annotations

import io
import os
import pickle
import select
import struct
import time
from typing import Any

_LENGTH = struct.Struct(">I")
_ALLOWED = {
    ("builtins", name) for name in ("set", "frozenset", "complex", "range", "slice", "bytearray")
} | {("datetime", name) for name in ("date", "time", "datetime", "timedelta", "timezone")} | {("decimal", "Decimal")}


class WireError(Exception):
    """The other side closed the pipe, sent garbage, or was too slow."""


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not plain data")
        return super().find_class(module, name)


def encode(message: Any) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(body)) + body


def decode_plain(body: bytes) -> Any:
    try:
        return _PlainUnpickler(io.BytesIO(body)).load()
    except Exception as exc:  # noqa: BLE001 - any malformed frame
        raise WireError(f"unreadable frame: {exc}") from exc


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _wait(fd: int, deadline: float | None) -> None:
    if deadline is not None:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            raise TimeoutError("no answer before the deadline")


def read_frame(fd: int, deadline: float | None, max_bytes: int) -> bytes:
    """One frame's body; with a deadline (monotonic), TimeoutError when it passes first.
    Most frames arrive in one read, header and body together."""
    buffer = b""
    while len(buffer) < _LENGTH.size:
        _wait(fd, deadline)
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            raise WireError("pipe closed")
        buffer += chunk
    (length,) = _LENGTH.unpack_from(buffer)
    if length > max_bytes:
        raise WireError(f"frame of {length:,} bytes is over {max_bytes:,}")
    chunks, have = [buffer[_LENGTH.size:]], len(buffer) - _LENGTH.size
    while have < length:
        _wait(fd, deadline)
        chunk = os.read(fd, min(length - have, 1 << 20))
        if not chunk:
            raise WireError("pipe closed")
        chunks.append(chunk)
        have += len(chunk)
    if have > length:
        raise WireError("more than one frame at once")  # one request, one answer: never pipelined
    return b"".join(chunks)
