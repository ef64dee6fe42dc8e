"""Conditions too plain to need a worker: comparisons of names and small literals, joined by and/or/not.

Most evaluations a campaign makes are of this kind: a DMN rule's `(severity) == ("minor")`, a gateway's
`handling == 'rectify' and reinspect == True`, a literal output `"B"`. Sending each to a worker process costs
a pipe round trip and a wake-up (about 0.3 ms, more than a whole evaluation in process); such an expression
cannot call anything, loop, build a value or reach an attribute, so what made the worker necessary (code
holding the GIL inside one bytecode, memory growth) cannot happen in it: the work is one C-level comparison
per operator over values that are already in the task data. Everything else still goes to a worker.
"""
from __future__ import annotations

import ast
import functools

COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn)
MAX_LITERAL_CHARS = 1_000   # a literal in the source; longer ones take the worker path
MAX_LITERAL_ITEMS = 100     # elements of a tuple or list literal, e.g. `kind in ('special', 'plan')`


@functools.lru_cache(maxsize=4096)
def is_plain(expression: str) -> bool:
    """True when `expression` (eval mode) only compares names and small literals."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return False
    return _condition(tree.body)


def _condition(node: ast.AST) -> bool:
    if isinstance(node, ast.BoolOp):
        return all(_condition(value) for value in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _condition(node.operand)
    if isinstance(node, ast.Compare):
        return all(isinstance(op, COMPARISONS) for op in node.ops) \
            and all(_operand(part) for part in (node.left, *node.comparators))
    return _operand(node)


def _operand(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return not node.id.startswith("_")
    if isinstance(node, ast.Constant):
        return _literal(node.value)
    if isinstance(node, (ast.Tuple, ast.List)):
        return len(node.elts) <= MAX_LITERAL_ITEMS and all(
            isinstance(e, ast.Constant) and _literal(e.value) for e in node.elts)
    return False


def _literal(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, (int, float, str)):
        return len(repr(value)) <= MAX_LITERAL_CHARS
    return False  # bytes, Ellipsis, complex
