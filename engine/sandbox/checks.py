"""The sandbox's first line: a static check of designer-supplied source before anything runs.

check_source() rejects syntax that could reach the interpreter's internals (names starting with
'_', frames, code objects, imports, attribute writes), constructs that would run untraced code
while an abort unwinds ('finally', 'except*'), handlers that could swallow our aborts, and
integer literals bigger than the sandbox's integer cap. The deny-lists are module constants so
the tests can loop over them.
"""
from __future__ import annotations

import ast
import re

from engine.sandbox.limits import MAX_INT_BITS

MAX_SOURCE_CHARS, MAX_AST_NODES, MAX_AST_DEPTH = 20_000, 5_000, 100  # depth: keep visitors/compile() off the recursion limit
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
# Methods whose result can be far bigger than their inputs: only callable directly, so the
# guard (engine.sandbox.interpreter) sees every call and measures it first.
GUARDED_METHODS = frozenset(
    "join replace ljust rjust center zfill expandtabs translate extend to_bytes from_bytes".split())
_FORMAT_FIELD = re.compile(r"\{(?:[^{}]*[.\[])?_")  # "{_x}", "{0.__class__}", "{a[_b]}"
_WIDE_SPEC = re.compile(r"\*|\d{5,}")  # format width/precision above 9999


class ScriptRejected(Exception):
    """The source failed the static check; the message names each construct and line."""


def parse(source: str, mode: str) -> ast.AST:
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
        elif isinstance(node, (ast.Try, ast.TryStar)) and node.finalbody:  # would run untraced while an abort unwinds
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
        elif isinstance(node, ast.Constant) and isinstance(node.value, int) and node.value.bit_length() > MAX_INT_BITS:
            bad(node, f"an integer literal over {MAX_INT_BITS:,} bits")  # hex literals skip Python's digit limit
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
        tree = parse(source, mode)
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
