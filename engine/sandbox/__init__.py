"""Sandbox for everything SpiffWorkflow evaluates: script tasks, pre/post scripts, gateway
conditions, timers, multi-instance expressions, message correlations and DMN cells.

Process designers upload BPMN, so all of it is hostile. Lines of defence, in order:
checks (static refusal) → guard (size-amplifying operations rewritten into measured helpers) →
interpreter (steps, time, per-operation and cumulative size budgets, plain data out) → pool
(a separate worker process under RLIMIT_CPU/RLIMIT_AS and a wall deadline, killed and replaced
when over). docs/sandbox.md lists every limit.

The worker imports only the light modules; SpiffWorkflow's script engine is loaded on first use
of SandboxEnvironment/SandboxedScriptEngine (PEP 562), so a worker starts quickly.
"""
from typing import Any

from engine.sandbox.checks import (  # noqa: F401 - the public surface
    CATCHABLE, FORBIDDEN_ATTR_PREFIXES, FORBIDDEN_ATTRS, FORBIDDEN_NAMES, FORBIDDEN_NODES, GUARDED_METHODS,
    ScriptRejected, check_source)
from engine.sandbox.limits import (  # noqa: F401
    MAX_INSTANCES, MAX_INT_BITS, MAX_ITEMS, MAX_TOTAL_ITEMS, Limits, ScriptLimitExceeded, ScriptResourceExceeded,
    ScriptTimeout)

__all__ = ["CATCHABLE", "FORBIDDEN_ATTR_PREFIXES", "FORBIDDEN_ATTRS", "FORBIDDEN_NAMES", "FORBIDDEN_NODES",
           "GUARDED_METHODS", "ScriptRejected", "check_source", "MAX_INSTANCES", "MAX_INT_BITS", "MAX_ITEMS",
           "MAX_TOTAL_ITEMS", "Limits", "ScriptLimitExceeded", "ScriptResourceExceeded", "ScriptTimeout",
           "SandboxEnvironment", "SandboxedScriptEngine", "FUNCTIONS", "register_function"]
_LAZY = {"SandboxEnvironment", "SandboxedScriptEngine", "FUNCTIONS", "register_function"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from engine.sandbox import script_engine
        return getattr(script_engine, name)
    raise AttributeError(name)
