"""The parent side of the sandbox: a pool of long-lived worker processes, one evaluation at a time each.

Started lazily on the first evaluation; a process that forked after the pool started (gunicorn's
workers, the timer worker) sees a different pid and starts its own, never touching the workers
it inherited. Each evaluation is one request frame and one answer frame on the worker's pipes
(plus a frame pair per call of an application function). When the wall deadline passes, the
worker dies of its CPU limit or memory, or sends something unreadable, it is killed and a fresh
one replaces it on the next checkout; the caller gets ScriptResourceExceeded.
"""
from __future__ import annotations

import builtins
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from engine.sandbox.checks import ScriptRejected
from engine.sandbox.limits import (
    MAX_REPLY_BYTES, Limits, ScriptLimitExceeded, ScriptResourceExceeded, ScriptTimeout)
from engine.sandbox.wire import WireError, decode_plain, encode, read_frame, write_all

ROOT = Path(__file__).resolve().parents[2]
_OWN_ERRORS = {cls.__name__: cls for cls in (ScriptRejected, ScriptTimeout, ScriptLimitExceeded, ScriptResourceExceeded)}


def _worker_env() -> dict[str, str]:
    # Nothing of the parent's environment (DATABASE_URL, SECRET_KEY …) reaches hostile code.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1"}


class _Worker:
    def __init__(self, memory_mb: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "engine.sandbox.worker", str(memory_mb)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, cwd=ROOT, env=_worker_env(), close_fds=True)
        self.send, self.receive = self.process.stdin.fileno(), self.process.stdout.fileno()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()

    def stopped_reason(self) -> str:
        try:
            code = self.process.wait(timeout=2)  # its pipe closed: it is exiting
        except subprocess.TimeoutExpired:
            self.kill()
            return "the sandbox worker answered garbage"
        if code == -signal.SIGXCPU:
            return "CPU time limit"
        return f"the sandbox worker ended ({code})"


class Pool:
    def __init__(self, size: int, memory_mb: int) -> None:
        self.size, self.memory_mb, self.pid = max(size, 1), memory_mb, os.getpid()
        self.idle: list[_Worker] = []
        self.count = 0
        self.closed = False
        self.changed = threading.Condition()

    def acquire(self) -> _Worker:
        with self.changed:
            while not self.idle and self.count >= self.size:
                self.changed.wait()
            if self.idle:
                return self.idle.pop()
            self.count += 1
        try:
            return _Worker(self.memory_mb)
        except BaseException:
            self.release(None)
            raise

    def release(self, worker: _Worker | None, healthy: bool = False) -> None:
        healthy = healthy and not self.closed  # a worker coming back to a replaced pool is not kept
        if worker is not None and not healthy:
            worker.kill()
        with self.changed:
            if worker is not None and healthy:
                self.idle.append(worker)
            else:
                self.count -= 1
            self.changed.notify()

    def close(self) -> None:
        with self.changed:
            self.closed = True
            idle, self.idle = self.idle, []
            self.count -= len(idle)
        for worker in idle:
            worker.kill()


_pool: Pool | None = None
_pool_lock = threading.Lock()


def _forget_after_fork() -> None:
    # In a forked child the parent's workers are not ours, and another thread may have held the lock at fork time.
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def get_pool(size: int, memory_mb: int) -> Pool:
    global _pool
    with _pool_lock:
        if _pool is not None and _pool.pid == os.getpid() and (_pool.size, _pool.memory_mb) == (max(size, 1), memory_mb):
            return _pool
        if _pool is not None and _pool.pid == os.getpid():
            _pool.close()  # new settings (tests); workers busy now are killed when they come back unhealthy
        # after a fork the inherited pool's workers belong to the parent: forget them, never kill them
        _pool = Pool(size, memory_mb)
        return _pool


def shutdown() -> None:
    """Stop the idle workers of this process's pool (tests, clean exits)."""
    global _pool
    with _pool_lock:
        if _pool is not None and _pool.pid == os.getpid():
            _pool.close()
        _pool = None


def _error(kind: str, args: tuple, line: int | None) -> Exception:
    cls = _OWN_ERRORS.get(kind) or getattr(builtins, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = RuntimeError
    try:
        error = cls(*args)
    except Exception:  # noqa: BLE001 - e.g. UnicodeDecodeError wants five arguments
        error = RuntimeError(f"{kind}: {args}")
    error.sandbox_line = line
    return error


def _exchange(worker: _Worker, request: dict, functions: Mapping[str, Callable[..., Any]], limits: Limits) -> tuple:
    write_all(worker.send, encode(request))
    deadline = time.monotonic() + limits.wall_seconds
    while True:
        message = decode_plain(read_frame(worker.receive, deadline, MAX_REPLY_BYTES))
        if not isinstance(message, tuple) or not message or message[0] not in ("ok", "error", "call"):
            raise WireError("unexpected message")
        if message[0] != "call":
            return message
        _, name, args, kwargs = message
        started = time.monotonic()
        try:
            if name not in functions:
                raise NameError(f"name {name!r} is not defined")
            answer = ("return", functions[name](*args, **kwargs))
        except Exception as error:  # noqa: BLE001 - the script sees the function's error by its type
            answer = ("raise", type(error).__name__ if hasattr(builtins, type(error).__name__) else "ValueError",
                      str(error))
        deadline += time.monotonic() - started  # the parent's time is not the script's
        write_all(worker.send, encode(answer))


def run(mode: str, source: str, context: dict, external: dict, functions: Mapping[str, Callable[..., Any]],
        limits: Limits, pool_size: int) -> Any:
    """Evaluate (mode 'eval') or execute (mode 'exec', returns the new task data) in a worker."""
    request = {"mode": mode, "source": source, "context": context, "external": external,
               "functions": sorted(functions), "limits": limits}
    pool = get_pool(pool_size, limits.memory_mb)
    worker, healthy = pool.acquire(), False
    try:
        try:
            message = _exchange(worker, request, functions, limits)
        except TimeoutError:
            raise ScriptResourceExceeded(f"script stopped: no result within {limits.wall_seconds}s "
                                         "(the sandbox worker was stopped)") from None
        except (WireError, OSError) as exc:
            raise ScriptResourceExceeded(f"script stopped: {worker.stopped_reason()}") from exc
        if message[0] == "ok":
            healthy = True
            return message[1]
        _, kind, args, line = message
        healthy = kind != "ScriptResourceExceeded"  # after a MemoryError the worker exits
        raise _error(kind, tuple(args), line)
    finally:
        pool.release(worker, healthy)
