"""SpiffWorkflow's script engine, with every evaluation sent to a sandbox worker process.

SandboxEnvironment replaces TaskDataEnvironment: the static check runs here first (a rejected
script never reaches a worker), then the source, a copy of the task data and the names of the
application's functions go to the pool (engine.sandbox.pool). A plain condition (engine.sandbox.plain:
comparisons of names and small literals) runs in this process with the same interpreter and limits: it can
neither stall nor grow, and a worker round trip would cost more than it. `in_process=True` runs everything
in this process: for the worker's own tests and the benchmark only.
"""
from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.sandbox import interpreter, plain, pool
from engine.sandbox.guard import compile_checked
from engine.sandbox.limits import MAX_INSTANCES, Limits

# Helpers the application offers to expressions (e.g. `workdays(5)` for working-day timers), registered by
# services/workflow/script_functions.py; they run in this process, take and return plain data and are never
# stored in task data.
FUNCTIONS: dict[str, Callable[..., Any]] = {}
DEFAULT_POOL_SIZE = 2  # the services pass SANDBOX_WORKERS and the Limits from settings


def register_function(name: str, fn: Callable[..., Any]) -> None:
    if name.startswith("_") or not name.isidentifier():
        raise ValueError(f"bad function name {name!r}")
    FUNCTIONS[name] = fn


class SandboxEnvironment(TaskDataEnvironment):
    """Runs checked, rewritten code with restricted builtins, in a sandbox worker process."""

    def __init__(self, limits: Limits | None = None, *, pool_size: int | None = None, in_process: bool = False,
                 **overrides: Any) -> None:
        super().__init__({})  # nothing is shared between runs
        self.limits = dataclasses.replace(limits or Limits(), **overrides)
        self.pool_size = pool_size or DEFAULT_POOL_SIZE
        self.in_process = in_process

    def _run(self, mode: str, source: str, context: dict, external: dict) -> Any:
        compile_checked(source, mode)  # the static check, here: refused code never reaches a worker
        if self.in_process:
            return self._here(mode, source, context, external)
        if mode == "eval" and plain.is_plain(source):  # a bare comparison: nothing a worker would guard against
            return copy.deepcopy(self._here(mode, source, context, external))  # a copy, as from a worker
        return pool.run(mode, source, context, external, FUNCTIONS, self.limits, self.pool_size)

    def _here(self, mode: str, source: str, context: dict, external: dict) -> Any:
        """The same interpreter and limits, in this process."""
        functions = {**FUNCTIONS, **external}
        try:
            run = interpreter.evaluate if mode == "eval" else interpreter.execute
            return run(source, context, functions, self.limits)
        except Exception as error:
            error.sandbox_line = interpreter.line_of(error)
            raise

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        return self._run("eval", expression, context, dict(external_context or {}))

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        # The worker runs on a copy and answers with the new data: a failing script leaves task data as it was.
        scope = self._run("exec", script, context, dict(external_context or {}))
        context.clear()
        context.update(scope)
        return True


class SandboxedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine whose every evaluation runs in a SandboxEnvironment.

    Service tasks: the spiff ``serviceTaskOperator`` id names a handler, called as
    ``handler(operation_params={name: evaluated value}, task_data=<deep copy of task.data>)``.
    Its return value must be JSON-serialisable; SpiffWorkflow stores it in resultVariable.
    """

    def __init__(self, service_handlers: Mapping[str, Callable[..., Any]] | None = None,
                 limits: Limits | None = None, *, in_process: bool = False, **overrides: Any) -> None:
        super().__init__(environment=SandboxEnvironment(limits, in_process=in_process, **overrides))
        self.service_handlers = dict(service_handlers or {})

    def evaluate(self, task: Any, expression: str, external_context: dict | None = None) -> Any:
        try:
            result = self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as err:
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:  # the base class leaves the reason out of the message
            raise WorkflowTaskException(f"Error evaluating expression '{expression}': {type(err).__name__}: {err}",
                                        task=task, exception=err) from err
        # A small expression can still ask for a huge loop: the engine would build every instance at once.
        if expression == getattr(getattr(task, "task_spec", None), "cardinality", None) \
                and isinstance(result, int) and result > MAX_INSTANCES:
            raise WorkflowTaskException(f"Loop cardinality {result:,} exceeds the limit of {MAX_INSTANCES:,} instances",
                                        task=task)
        return result

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        if isinstance(err, SpiffWorkflowException):
            return super().create_task_exec_exception(task, script, err)
        # The worker reports the line; the base class would look for it in a local traceback.
        line_number = getattr(err, "sandbox_line", None) or 0
        error_line = script.splitlines()[line_number - 1] if 0 < line_number <= len(script.splitlines()) else ""
        return WorkflowTaskException(f"{type(err).__name__}: {err}", task=task, exception=err,
                                     line_number=line_number, error_line=error_line)

    def call_service(self, task: Any, operation_name: str | None = None,
                     operation_params: Mapping[str, Any] | None = None, **kwargs: Any) -> str:
        handler = self.service_handlers.get(operation_name)
        if handler is None:
            known = ", ".join(sorted(self.service_handlers)) or "none"
            raise WorkflowTaskException(f"Unknown service operation '{operation_name}' (registered: {known})",
                                        task=task)
        params = {name: param["value"] for name, param in (operation_params or {}).items()}
        try:
            return json.dumps(handler(operation_params=params, task_data=copy.deepcopy(task.data)))
        except SpiffWorkflowException:
            raise
        except Exception as err:
            raise WorkflowTaskException(f"Service operation '{operation_name}' failed: {type(err).__name__}: {err}",
                                        task=task, exception=err) from err
