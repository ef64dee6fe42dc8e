"""A sandbox worker process: reads evaluation requests on its stdin, answers on its stdout.

Started by engine.sandbox.pool with a clean environment (no database URL, no secret key). Its
address space is capped once (RLIMIT_AS) and its CPU time before every evaluation (RLIMIT_CPU:
the time used so far plus the evaluation's allowance; SIGXCPU ends the process). Functions the
application offers to scripts (e.g. workdays) run in the parent: a call is a frame to the parent
and its answer. After a MemoryError the worker answers and exits, so no half-broken interpreter
serves the next evaluation.
"""
from __future__ import annotations

import builtins
import math
import os
import pickle
import resource
import sys
from typing import Any

from engine.sandbox import interpreter
from engine.sandbox.checks import ScriptRejected
from engine.sandbox.limits import MAX_REPLY_BYTES, Limits, ScriptLimitExceeded, ScriptResourceExceeded
from engine.sandbox.wire import WireError, encode, read_frame, write_all

_IN, _OUT = 0, 1


def _set_cpu_allowance(seconds: int) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = math.ceil(usage.ru_utime + usage.ru_stime)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + max(seconds, 1)
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _exception(kind: str, args: tuple) -> Exception:
    cls = getattr(builtins, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = RuntimeError
    return cls(*args)


def _proxy(name: str):
    """A stand-in for a function the parent offers; the call and its answer cross the pipe."""
    def call(*args: Any, **kwargs: Any) -> Any:
        write_all(_OUT, encode(("call", name, args, kwargs)))
        answer = pickle.loads(read_frame(_IN, None, MAX_REPLY_BYTES))  # the parent is trusted
        if answer[0] == "raise":
            raise _exception(answer[1], (answer[2],))
        return answer[1]
    call.__name__ = name
    return call


def _plain_args(error: BaseException) -> tuple:
    if all(isinstance(a, (str, int, float)) for a in error.args):
        return error.args
    return (str(error),)


def handle(request: dict) -> tuple:
    limits: Limits = request["limits"]
    _set_cpu_allowance(limits.cpu_seconds)
    external = {**request["external"], **{name: _proxy(name) for name in request["functions"]}}
    run = interpreter.evaluate if request["mode"] == "eval" else interpreter.execute
    try:
        with interpreter.surface():
            result = run(request["source"], request["context"], external, limits)
            if not limits.exit_checks:  # only in-process runs may skip them (tests of single guards)
                interpreter.measure(result, interpreter.L.MAX_DATA_NODES, interpreter.L.MAX_DATA_CHARS, plain=True)
        return ("ok", result)
    except MemoryError:
        return ("error", "ScriptResourceExceeded", (f"script ran out of memory (limit {limits.memory_mb} MB)",),
                None, True)
    except ScriptRejected as error:
        return ("error", "ScriptRejected", (str(error),), None, False)
    except Exception as error:  # noqa: BLE001 - the script's own errors travel back by name
        kind = type(error).__name__ if not isinstance(error, ScriptLimitExceeded) else \
            ("ScriptResourceExceeded" if isinstance(error, ScriptResourceExceeded) else type(error).__name__)
        return ("error", kind, _plain_args(error), interpreter.line_of(error), False)


def main() -> None:
    global _IN, _OUT
    memory_mb = int(sys.argv[1])
    _IN, _OUT = os.dup(0), os.dup(1)  # the protocol; fd 1 now points at stderr so stray prints cannot corrupt it
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    while True:
        try:
            request = pickle.loads(read_frame(_IN, None, MAX_REPLY_BYTES))
        except WireError:
            return  # the parent is gone
        reply = handle(request)
        try:
            frame = encode(reply[:4])
        except Exception as error:  # noqa: BLE001 - an unpicklable result
            frame, reply = encode(("error", "TypeError", (f"result cannot leave the sandbox: {error}",), None)), reply
        write_all(_OUT, frame)
        if reply[0] == "error" and reply[4]:
            return  # after a MemoryError: a fresh worker takes over


if __name__ == "__main__":
    main()
