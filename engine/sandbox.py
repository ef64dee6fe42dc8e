"""Sandbox for everything SpiffWorkflow evaluates: script tasks, pre/post scripts, gateway
conditions, timers, multi-instance expressions, message correlations and DMN cells.

Process designers upload BPMN, so all of it is hostile. Layers: check_source() rejects
dangerous syntax statically; _Guard rewrites size-amplifying operations into checked
helpers; _Run bounds steps, time and memory with a per-thread sys.settrace counter and
restricted builtins in a fresh globals dict; only plain data may leave the sandbox.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import copy
import functools
import itertools
import json
import operator
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime, time as dtime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

MAX_SOURCE_CHARS, MAX_AST_NODES, MAX_AST_DEPTH = 20_000, 5_000, 100  # depth: keep visitors/compile() off the recursion limit
MAX_ITEMS = 1_000_000         # elements/characters one guarded operation may produce
MAX_TOTAL_ITEMS = 20_000_000  # ... and all guarded operations of one run together
MAX_INT_BITS = 100_000        # ~30,000 decimal digits
MAX_DATA_NODES, MAX_DATA_CHARS, MAX_DATA_DEPTH = 1_000_000, 50_000_000, 100  # what may leave the sandbox
# Helpers the application offers to expressions (e.g. `workdays(5)` for working-day timers), registered by
# services/script_functions.py; they take and return plain data and are never stored in task data.
FUNCTIONS: dict[str, Callable[..., Any]] = {}
MAX_INSTANCES = 1_000           # loop cardinality: each instance is a task in the tree (ENGINE-NOTES trap 5)
MAX_RSS_GROWTH = 512 << 20    # process memory growth tolerated during one run (Linux only)
FILENAME = "<string>"         # the base engine looks for this frame name to report the line

FORBIDDEN_NAMES = frozenset(
    "eval exec compile open __import__ globals locals vars getattr setattr delattr dir type breakpoint "
    "input help memoryview super object classmethod staticmethod property exit quit".split())
# str.format/format_map walk attributes ("{0.__class__}"), so both are banned; '%' cannot walk.
FORBIDDEN_ATTRS = frozenset({"mro", "format", "format_map"})
FORBIDDEN_ATTR_PREFIXES = ("gi_", "cr_", "ag_", "f_", "tb_", "co_", "func_", "im_")  # frames, code
FORBIDDEN_NODES = {
    ast.Import: "import", ast.ImportFrom: "import", ast.Global: "'global'", ast.Nonlocal: "'nonlocal'",
    ast.ClassDef: "class definition", ast.With: "'with'", ast.AsyncWith: "'async with'",
    ast.AsyncFor: "'async for'", ast.AsyncFunctionDef: "'async def'", ast.Await: "'await'",
    ast.Yield: "'yield'", ast.YieldFrom: "'yield from'", ast.TryStar: "'except*'",
    ast.Match: "'match'",  # class patterns read attributes by name
}
# Only these may be caught: what the interpreter raises when the step counter itself fails
# (RecursionError, MemoryError) and our own aborts must stay uncatchable.
CATCHABLE = ("ValueError", "TypeError", "KeyError", "IndexError", "ZeroDivisionError",
             "ArithmeticError", "LookupError")
GUARDED_METHODS = frozenset("join replace ljust rjust center zfill expandtabs translate extend to_bytes".split())
_OPS = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Add: "+", ast.Mod: "%"}
_APPLY = {"*": operator.mul, "**": operator.pow, "<<": operator.lshift, "+": operator.add, "%": operator.mod}
_INPLACE = {"*": operator.imul, "**": operator.ipow, "<<": operator.ilshift, "+": operator.iadd, "%": operator.imod}
_FORMAT_FIELD = re.compile(r"\{(?:[^{}]*[.\[])?_")  # "{_x}", "{0.__class__}", "{a[_b]}"
_WIDE_SPEC = re.compile(r"\*|\d{5,}")  # format width/precision above 9999
_WIDE_PERCENT = re.compile(r"%[^a-zA-Z%]*(?:\*|\d{5,})")
_SEQUENCES = (str, bytes, list, tuple)
_PLAIN = (type(None), bool, int, float, complex, Decimal, date, dtime, timedelta, tzinfo, range)


class ScriptRejected(Exception):
    """The source failed the static check; the message names each construct and line."""


class ScriptTimeout(Exception):
    """The script ran out of steps or time."""


class ScriptLimitExceeded(Exception):
    """The script tried to build a value, or use memory, beyond the sandbox limits."""


class _Abort(BaseException):
    """Carries a public error out of the script; a BaseException so no handler catches it."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _parse(source: str, mode: str) -> ast.AST:
    # eval() tolerates surrounding whitespace (BPMN XML text often has it); ast.parse does not.
    return ast.parse(source.strip() if mode == "eval" else source, FILENAME, mode)


def _problems(tree: ast.AST) -> list[str]:
    problems: list[tuple[int, str]] = []
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}

    def bad(node: ast.AST, what: str) -> None:
        line = getattr(node, "lineno", 0)
        problems.append((line, f"line {line}: {what} is not allowed"))

    for node in ast.walk(tree):  # iterative, unlike NodeVisitor
        if type(node) in FORBIDDEN_NODES:
            bad(node, FORBIDDEN_NODES[type(node)])
        named = {ast.Name: "id", ast.Attribute: "attr", ast.keyword: "arg", ast.arg: "arg",
                 ast.FunctionDef: "name", ast.ExceptHandler: "name"}.get(type(node))
        name = getattr(node, named, None) if named else None
        if name and name.startswith("_") and name != "_":  # a lone '_' is the usual throwaway
            bad(node, f"'{name}' (names starting with '_')")
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            bad(node, f"name '{node.id}'")
        elif isinstance(node, ast.Attribute):
            if not isinstance(node.ctx, ast.Load):  # exposed classes/functions are shared by all runs
                bad(node, "assigning or deleting an attribute")
            if node.attr in FORBIDDEN_ATTRS or node.attr.startswith(FORBIDDEN_ATTR_PREFIXES):
                bad(node, f"attribute '{node.attr}'")
            if node.attr in GUARDED_METHODS and id(node) not in called:  # its size check is at the call
                bad(node, f"'.{node.attr}' other than as a direct call")
        elif isinstance(node, ast.Try) and node.finalbody:  # would run untraced while an abort unwinds
            bad(node, "'finally'")
        elif isinstance(node, ast.ExceptHandler):
            caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if not all(isinstance(t, ast.Name) and t.id in CATCHABLE for t in caught):
                bad(node, f"catching anything but {', '.join(CATCHABLE)}")
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.slice, ast.Slice):
            bad(node, "slice assignment")  # 'a[:0] = a' doubles a list unchecked
        elif isinstance(node, ast.comprehension) and node.is_async:
            bad(node.target, "async comprehension")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _FORMAT_FIELD.search(node.value):
            bad(node, "a format field naming something starting with '_'")  # in case trusted code formats it
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            parts = node.format_spec.values
            if not all(isinstance(p, ast.Constant) for p in parts):
                bad(node, "a computed f-string format spec")
            elif _WIDE_SPEC.search("".join(str(p.value) for p in parts)):
                bad(node, "an f-string width or precision over 9999")
    return [message for _, message in sorted(problems, key=lambda p: p[0])]


def check_source(source: str, mode: str = "exec") -> list[str]:
    """Statically check a script (mode 'exec') or an expression (mode 'eval').
    Returns the problems found, each naming the construct and line; empty means OK."""
    if mode not in ("exec", "eval"):
        raise ValueError("mode must be 'exec' or 'eval'")
    if not isinstance(source, str):
        return [f"source must be a string, not {type(source).__name__}"]
    if len(source) > MAX_SOURCE_CHARS:
        return [f"source is {len(source):,} characters; the limit is {MAX_SOURCE_CHARS:,}"]
    try:
        tree = _parse(source, mode)
    except SyntaxError as err:
        return [f"line {err.lineno}: syntax error: {err.msg}"]
    except (ValueError, RecursionError, MemoryError) as err:  # null bytes, absurd nesting
        return [f"source cannot be parsed: {err}"]
    count, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_AST_NODES or depth > MAX_AST_DEPTH:
            return [f"source is too complex (over {MAX_AST_NODES:,} syntax nodes or {MAX_AST_DEPTH} levels)"]
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return _problems(tree)


def _helper(name: str, *args: ast.expr, node: ast.AST, keywords: list | None = None) -> ast.Call:
    return ast.copy_location(ast.Call(ast.Name(name, ast.Load()), list(args), keywords or []), node)


class _Guard(ast.NodeTransformer):
    """Routes size-amplifying operations through _Run. Helper names start with '__', which
    checked source can neither mention nor shadow."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        op = _OPS.get(type(node.op))
        return _helper("__sbx_binop", ast.Constant(op), node.left, node.right, node=node) if op else node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        op, target = _OPS.get(type(node.op)), node.target
        if op is None:
            return node
        if isinstance(target, ast.Name):  # x op= v  ->  x = binop(op, x, v, inplace=True)
            value = _helper("__sbx_binop", ast.Constant(op), ast.Name(target.id, ast.Load()), node.value,
                            ast.Constant(True), node=node)
            return ast.copy_location(ast.Assign([target], value), node)
        # c[k] op= v; the helper evaluates container and key once, as Python does.
        return ast.copy_location(ast.Expr(_helper(
            "__sbx_augitem", target.value, target.slice, ast.Constant(op), node.value, node=node)), node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Attribute) and node.func.attr in GUARDED_METHODS:
            return _helper("__sbx_method", node.func.value, ast.Constant(node.func.attr), *node.args,
                           node=node, keywords=node.keywords)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        node.value = _helper("__sbx_text", node.value, node=node.value)
        return node


@functools.lru_cache(maxsize=1024)
def _compile(source: str, mode: str) -> Any:
    """Check, rewrite and compile. Code objects are immutable, so caching them is safe."""
    problems = check_source(source, mode)
    if problems:
        raise ScriptRejected("; ".join(problems))
    return compile(ast.fix_missing_locations(_Guard().visit(_parse(source, mode))), FILENAME, mode)


def _too_big(what: str, size: int, limit: int) -> _Abort:
    return _Abort(ScriptLimitExceeded(f"{what} would produce {size:,} items; the limit is {limit:,}"))


def _measure(value: Any, max_nodes: int, max_chars: int, plain: bool = False) -> int:
    """Size of value as repr/JSON see it (shared references count every time). With
    plain=True also reject anything but plain data, nested at most MAX_DATA_DEPTH deep
    (deeper data breaks deepcopy/JSON in SpiffWorkflow and the store with RecursionError)."""
    nodes = chars = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if isinstance(item, (str, bytes)):
            chars += len(item)
        elif isinstance(item, (dict, list, tuple, set, frozenset)):
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            if nodes + len(stack) + len(children) > max_nodes:  # check before the stack grows
                raise _too_big("this value", nodes + len(stack) + len(children), max_nodes)
            if plain and depth >= MAX_DATA_DEPTH:
                raise ScriptLimitExceeded(f"data nested deeper than {MAX_DATA_DEPTH} levels")
            stack.extend(zip(children, itertools.repeat(depth + 1)))
        elif plain and not isinstance(item, _PLAIN):
            raise TypeError(f"a {type(item).__name__} cannot leave the sandbox; only plain data can")
        if chars > max_chars:
            raise _too_big("this value", chars, max_chars)
    return nodes + chars


def _rss() -> int:
    """Resident memory in bytes; 0 without /proc (then only the other limits apply)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


_CURRENT = threading.local()  # the _Run of the code running on this thread, if any


class _StrType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, str)


class _SafeStr(str, metaclass=_StrType):
    """The sandbox's str: str(x) is size-checked first (the repr of shared references can
    explode), while isinstance(x, str) and str.upper & co. keep working."""

    def __new__(cls, value: Any = "", *args: Any) -> str:  # type: ignore[misc]
        run = getattr(_CURRENT, "run", None)  # charged, so map(str, ...) still meets the deadline
        size = _measure(value, MAX_ITEMS, MAX_ITEMS)
        if run is not None:
            run.charge(1 + size // 100)
        return str(value, *args)


def _import(name: str, *args: Any, **kwargs: Any) -> Any:
    # Not reachable from scripts ('__import__' is a banned name), but C code such as
    # datetime.strftime/strptime imports through the running code's builtins.
    if name not in ("time", "_strptime"):
        raise ImportError(f"import of {name!r} is not allowed")
    return builtins.__import__(name, *args, **kwargs)


def _sum(iterable: Any, start: int | float = 0) -> Any:
    if not isinstance(start, (int, float)):  # sum(lists, []) is quadratic and unchecked
        raise TypeError("sum() only adds numbers here")
    return sum(iterable, start)


def _round(number: Any, ndigits: int | None = None) -> Any:
    if ndigits is not None and abs(ndigits) > 100:  # round(1, -10**9) computes 10**(10**9)
        raise ValueError("round() ndigits must be between -100 and 100")
    return round(number, ndigits)


_SAFE_BUILTINS: dict[str, Any] = {
    **{name: getattr(builtins, name) for name in (
        "abs all any bool dict divmod enumerate filter float int isinstance len list map max min "
        "reversed set sorted tuple zip").split() + list(CATCHABLE)},
    "str": _SafeStr, "sum": _sum, "round": _round, "__import__": _import,
    # For timers and date arithmetic, e.g. (start_date + timedelta(days=3)).isoformat().
    "datetime": datetime, "date": date, "timedelta": timedelta, "timezone": timezone,
}


class _Run:
    """One evaluation's budget, plus the helpers the rewritten code calls."""

    def __init__(self, max_steps: int, max_seconds: float) -> None:
        self.max_steps, self.max_seconds = max_steps, max_seconds
        self.deadline = time.monotonic() + max_seconds
        self.steps = self.items = self.next_rss_check = 0
        self.rss_base = _rss()

    def builtins(self) -> dict[str, Any]:
        return {**_SAFE_BUILTINS, "range": self.range, "__sbx_binop": self.binop,
                "__sbx_augitem": self.augitem, "__sbx_method": self.method, "__sbx_text": self.text}

    def charge(self, steps: int = 1) -> None:
        self.steps += steps
        if self.steps > self.max_steps or time.monotonic() > self.deadline:
            raise _Abort(ScriptTimeout(f"script stopped: over {self.max_steps:,} steps or {self.max_seconds}s"))
        if self.rss_base and self.steps >= self.next_rss_check:  # growth the size checks cannot see
            self.next_rss_check = self.steps + 64
            if _rss() - self.rss_base > MAX_RSS_GROWTH:
                raise _Abort(ScriptLimitExceeded(f"script used over {MAX_RSS_GROWTH >> 20} MB of memory"))

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

    def produce(self, size: int, what: str, limit: int = MAX_ITEMS) -> None:
        if size > limit:
            raise _too_big(what, size, limit)
        self.items += size
        if self.items > MAX_TOTAL_ITEMS:
            raise _too_big("this run", self.items, MAX_TOTAL_ITEMS)

    def text(self, value: Any) -> Any:
        self.charge(1 + _measure(value, MAX_ITEMS, MAX_ITEMS) // 100)
        return value

    def range(self, *args: int) -> range:
        result = range(*args)
        try:
            size = len(result)
        except OverflowError:
            size = sys.maxsize
        if size > MAX_ITEMS:
            raise _too_big("range()", size, MAX_ITEMS)
        return result

    def binop(self, op: str, a: Any, b: Any, inplace: bool = False) -> Any:
        ints = isinstance(a, int) and isinstance(b, int)
        if op == "*" and ints:
            self.produce(a.bit_length() + b.bit_length(), "integer multiplication (bits)", MAX_INT_BITS)
        elif op == "*" and isinstance(a, _SEQUENCES + (int,)) and isinstance(b, _SEQUENCES + (int,)):
            seq, count = (a, b) if isinstance(b, int) else (b, a)
            self.produce(len(seq) * max(count, 0) if isinstance(count, int) else 0, "repetition")
        elif op == "**" and ints and b > 0 and abs(a) > 1:
            self.produce(a.bit_length() * b, "integer power (bits)", MAX_INT_BITS)
        elif op == "<<" and ints and a and b > 0:
            self.produce(a.bit_length() + b, "left shift (bits)", MAX_INT_BITS)
        elif op == "+" and isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
            self.produce(len(a) + len(b), "concatenation")
        elif op == "%" and isinstance(a, (str, bytes)):
            if _WIDE_PERCENT.search(a if isinstance(a, str) else a.decode("latin-1")):
                raise _Abort(ScriptLimitExceeded("'%' formatting with '*' or a width over 9999"))
            self.text(b)
        return (_INPLACE if inplace else _APPLY)[op](a, b)

    def augitem(self, container: Any, key: Any, op: str, value: Any) -> None:
        container[key] = self.binop(op, container[key], value, inplace=True)

    def method(self, obj: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if isinstance(obj, type):  # str.join(sep, items) would dodge the checks below
            raise TypeError(f"call .{name}() on a value, not on a type")
        first = args[0] if args else kwargs.get({"expandtabs": "tabsize", "to_bytes": "length"}.get(name, ""))
        size, text = None, isinstance(obj, (str, bytes))
        if name in ("join", "extend") and args:  # materialise once, then measure
            args = (list(first),)
            size = len(obj) + len(args[0]) if name == "extend" else \
                len(obj) * len(args[0]) + sum(len(i) for i in args[0] if isinstance(i, (str, bytes)))
        elif name == "replace" and text and len(args) > 1 and isinstance(args[1], (str, bytes)):
            size = len(obj) + obj.count(first) * max(len(args[1]) - len(first), 0)
        elif name in ("ljust", "rjust", "center", "zfill", "to_bytes"):
            size = 1 if first is None else first
        elif name == "expandtabs" and text and isinstance(first, (int, type(None))):
            size = len(obj) + obj.count(b"\t" if isinstance(obj, bytes) else "\t") * (8 if first is None else first)
        elif name == "translate" and isinstance(obj, str) and isinstance(first, dict):
            size = len(obj) * max((len(v) for v in first.values() if isinstance(v, str)), default=1)
        if isinstance(size, int):
            self.produce(size, f"{type(obj).__name__}.{name}()")
        return getattr(obj, name)(*args, **kwargs)  # name is a checked constant from the source


@contextlib.contextmanager
def _surface() -> Any:
    """Turn an abort into its public exception, keeping the traceback (and so the line)."""
    try:
        yield
    except _Abort as abort:
        raise abort.error.with_traceback(abort.__traceback__) from None


def register_function(name: str, fn: Callable[..., Any]) -> None:
    if name.startswith("_") or not name.isidentifier():
        raise ValueError(f"bad function name {name!r}")
    FUNCTIONS[name] = fn


class SandboxEnvironment(TaskDataEnvironment):
    """Runs checked, rewritten code with restricted builtins in a fresh globals dict."""

    def __init__(self, max_steps: int = 100_000, max_seconds: float = 5.0) -> None:
        super().__init__({})  # nothing is shared between runs
        self.max_steps, self.max_seconds = max_steps, max_seconds

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        code = _compile(expression, "eval")
        with _surface():
            result = self._run(code, {**FUNCTIONS, **(external_context or {}), **context})
            _measure(result, MAX_DATA_NODES, MAX_DATA_CHARS, plain=True)
        return result

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        code, external = _compile(script, "exec"), {**FUNCTIONS, **(external_context or {})}
        # Run on a copy and commit only on success, so a failing script leaves task data as it was.
        scope = {**copy.deepcopy(context), **external}
        with _surface():
            self._run(code, scope)
            for key in [k for k, v in scope.items() if k in external or callable(v)]:
                del scope[key]  # as in the base class: functions and external names are not task data
            _measure(scope, MAX_DATA_NODES, MAX_DATA_CHARS, plain=True)
        context.clear()
        context.update(scope)
        return True

    def _run(self, code: Any, scope: dict) -> Any:
        run = _Run(self.max_steps, self.max_seconds)
        scope["__builtins__"] = run.builtins()
        previous, outer_run = sys.gettrace(), getattr(_CURRENT, "run", None)
        _CURRENT.run = run
        sys.settrace(run.trace)  # per thread, so this also works off the main thread (no signals)
        try:
            return eval(code, scope)
        finally:
            sys.settrace(previous)
            _CURRENT.run = outer_run
            scope.pop("__builtins__", None)


class SandboxedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine whose every evaluation runs in a SandboxEnvironment.

    Service tasks: the spiff ``serviceTaskOperator`` id names a handler, called as
    ``handler(operation_params={name: evaluated value}, task_data=<deep copy of task.data>)``.
    Its return value must be JSON-serialisable; SpiffWorkflow stores it in resultVariable.
    """

    def __init__(self, service_handlers: Mapping[str, Callable[..., Any]] | None = None,
                 max_steps: int = 100_000, max_seconds: float = 5.0) -> None:
        super().__init__(environment=SandboxEnvironment(max_steps, max_seconds))
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
        # The base class assumes err.args[0] is a str, which KeyError(5) breaks.
        line_number, error_line = self.get_error_line_number_and_content(script, err)
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
