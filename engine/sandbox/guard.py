"""The sandbox's second line: rewrite checked source so every size-amplifying operation goes
through a helper that measures its result before it is built (engine.sandbox.interpreter).

Rewritten: every binary operator and augmented assignment (integers are capped for all of them,
sequences for '+', '*' and '%'), calls of the guarded methods, starred unpacking into list/tuple/
set displays and call arguments, and every f-string field. Helper names start with '__', which
checked source can neither mention nor shadow.
"""
from __future__ import annotations

import ast
import functools
import re
from typing import Any

from engine.sandbox.checks import FILENAME, GUARDED_METHODS, ScriptRejected, check_source, parse

OPS = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.Add: "+", ast.Sub: "-",
       ast.Mod: "%", ast.FloorDiv: "//", ast.Div: "/", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
       ast.MatMult: "@"}
_SPEC_NUMBERS = re.compile(r"\d+")


def _helper(name: str, *args: ast.expr, node: ast.AST, keywords: list | None = None) -> ast.Call:
    return ast.copy_location(ast.Call(ast.Name(name, ast.Load()), list(args), keywords or []), node)


def _unpack(kind: str, elements: list[ast.expr], node: ast.AST) -> ast.Call:
    """[a, *b, *c] -> __sbx_unpack('list', [a, b, c], (False, True, True)): sized before it is built."""
    parts = [e.value if isinstance(e, ast.Starred) else e for e in elements]
    flags = ast.Tuple([ast.Constant(isinstance(e, ast.Starred)) for e in elements], ast.Load())
    return _helper("__sbx_unpack", ast.Constant(kind), ast.List(parts, ast.Load()), flags, node=node)


def _has_star(elements: list[ast.expr]) -> bool:
    return any(isinstance(e, ast.Starred) for e in elements)


class Guard(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        return _helper("__sbx_binop", ast.Constant(OPS[type(node.op)]), node.left, node.right, node=node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        op, target = OPS[type(node.op)], node.target
        if isinstance(target, ast.Name):  # x op= v  ->  x = binop(op, x, v, inplace=True)
            value = _helper("__sbx_binop", ast.Constant(op), ast.Name(target.id, ast.Load()), node.value,
                            ast.Constant(True), node=node)
            return ast.copy_location(ast.Assign([target], value), node)
        if isinstance(target, ast.Subscript):  # c[k] op= v; container and key evaluated once, as Python does
            return ast.copy_location(ast.Expr(_helper(
                "__sbx_augitem", target.value, target.slice, ast.Constant(op), node.value, node=node)), node)
        return node  # attribute targets are refused by the static check

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _has_star(node.args):  # f(*a, *a, ...) builds one argument tuple
            node.args = [ast.Starred(_unpack("tuple", node.args, node), ast.Load())]
        if isinstance(node.func, ast.Attribute) and node.func.attr in GUARDED_METHODS:
            return _helper("__sbx_method", node.func.value, ast.Constant(node.func.attr), *node.args,
                           node=node, keywords=node.keywords)
        return node

    def _display(self, node: ast.AST, kind: str) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load) and _has_star(node.elts):
            return _unpack(kind, node.elts, node)
        return node

    def visit_List(self, node: ast.List) -> ast.AST:
        return self._display(node, "list")

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        return self._display(node, "tuple")

    def visit_Set(self, node: ast.Set) -> ast.AST:
        self.generic_visit(node)
        return _unpack("set", node.elts, node) if _has_star(node.elts) else node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        spec = "".join(str(p.value) for p in node.format_spec.values if isinstance(p, ast.Constant)) \
            if node.format_spec is not None else ""
        pad = sum(int(n) for n in _SPEC_NUMBERS.findall(spec))  # width and precision (each <= 9999, checked)
        node.value = _helper("__sbx_text", node.value, ast.Constant(pad), node=node.value)
        return node


@functools.lru_cache(maxsize=1024)
def compile_checked(source: str, mode: str) -> Any:
    """Check, rewrite and compile. Code objects are immutable, so caching them is safe."""
    problems = check_source(source, mode)
    if problems:
        raise ScriptRejected("; ".join(problems))
    return compile(ast.fix_missing_locations(Guard().visit(parse(source, mode))), FILENAME, mode)
