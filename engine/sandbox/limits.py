"""The sandbox's numbers and its error types, shared by the parent process and the workers.

Size caps are module constants (the same for every deployment: they keep one evaluation's cost
bounded whatever the hardware); budgets and OS limits are in `Limits`, filled from settings by
the services (config.py: SANDBOX_*).
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_ITEMS = 1_000_000         # elements/characters one guarded operation may produce
MAX_TOTAL_ITEMS = 20_000_000  # ... and all guarded operations of one run together
# ~4,214 decimal digits: under Python's 4,300-digit int/str limit, so every integer a script can
# make also prints and saves (a 5,000-digit one would fail with ValueError while saving state).
MAX_INT_BITS = 14_000
MAX_DATA_NODES, MAX_DATA_CHARS, MAX_DATA_DEPTH = 1_000_000, 50_000_000, 100  # what may leave the sandbox
MAX_INSTANCES = 1_000         # loop cardinality: each instance is a task in the tree (ENGINE-NOTES trap 5)
MAX_RSS_GROWTH = 512 << 20    # in-process memory growth tolerated during one run (Linux only)
MAX_REPLY_BYTES = 256 << 20   # a worker's answer bigger than this is refused unread


@dataclass(frozen=True)
class Limits:
    """One evaluation's budget. `max_seconds` is checked by the tracer inside the worker (so the
    error names a line); `wall_seconds` is when the parent kills the worker; `cpu_seconds` and
    `memory_mb` are the worker's RLIMIT_CPU (per evaluation) and RLIMIT_AS."""
    max_steps: int = 100_000
    max_seconds: float = 5.0
    wall_seconds: float = 6.0
    cpu_seconds: int = 5
    memory_mb: int = 512
    # Tests switch these off to see which guard fired; production never does.
    rss_fallback: bool = True
    exit_checks: bool = True


class ScriptTimeout(Exception):
    """The script ran out of steps or time."""


class ScriptLimitExceeded(Exception):
    """The script tried to build a value, or use memory, beyond the sandbox limits."""


class ScriptResourceExceeded(ScriptLimitExceeded):
    """The operating system's limits stopped the worker (CPU time, address space, wall deadline):
    the worker was killed and replaced."""
