"""The import graph: no circle anywhere, and imports point one way (web/cli → services → the rest).

Every `import` and `from … import` in the project's sources counts, at module level or inside a
function (a function-level import is still a dependency, only a hidden one).
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "config", "extensions", "models", "schemas", "forms", "engine", "domain", "services", "web",
            "cli", "demo", "bench")

# Which top-level parts each part may import (besides itself). Anything else is an arrow the wrong way.
ALLOWED = {
    "domain": set(),
    "config": set(),
    "extensions": {"models"},  # the db object is built on models.base.Base
    "engine": {"domain"},
    "models": {"domain"},
    "schemas": {"domain", "models"},
    "forms": {"domain"},
    "services": {"domain", "engine", "models", "schemas", "forms", "extensions", "config"},
    "demo": {"domain", "models", "services", "extensions", "forms"},
    "web": {"domain", "engine", "models", "schemas", "forms", "services", "extensions", "config"},
    "cli": {"domain", "engine", "models", "schemas", "forms", "services", "extensions", "config", "demo"},
    "app": {"config", "extensions", "services", "web", "cli"},
    "bench": set(PACKAGES) - {"bench"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_sources() -> dict[str, Path]:
    sources = {}
    for top in PACKAGES:
        if (ROOT / f"{top}.py").exists():
            sources[top] = ROOT / f"{top}.py"
        if (ROOT / top).is_dir():
            sources.update({module_name(path): path for path in (ROOT / top).rglob("*.py")})
    return sources


def _without_script_entry(tree: ast.Module) -> ast.Module:
    """Drop `if __name__ == "__main__":` blocks: what a file does when run as a script is no module dependency."""
    tree.body = [node for node in tree.body if not (
        isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__")]
    return tree


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The project modules `path` imports, resolved to the longest known module name."""
    found = set()
    for node in ast.walk(_without_script_entry(ast.parse(path.read_text(encoding="utf-8")))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph(sources: dict[str, Path]) -> dict[str, set[str]]:
    modules = set(sources)
    graph = {}
    for name, path in sources.items():
        targets = imports_of(path, modules) - {name}
        # `from pkg import sub` also names pkg itself; that is the package being entered, not a dependency
        graph[name] = {t for t in targets if not any(o.startswith(t + ".") for o in targets)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def wrong_way(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for source, targets in graph.items():
        top = source.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != top and other not in ALLOWED[top]:
                bad.append(f"{source} → {target}")
    return sorted(bad)


@pytest.fixture(scope="module")
def graph():
    return import_graph(project_sources())


def test_no_import_circle(graph):
    assert cycles(graph) == []


def test_imports_point_one_way(graph):
    assert wrong_way(graph) == []


def test_the_checks_catch_a_back_import(tmp_path):
    """A deliberately added back-import (a service importing the web layer) and a circle are both found."""
    for name, text in {"services/__init__.py": "", "services/a.py": "from services import b\nimport web.views\n",
                       "services/b.py": "def f():\n    from services import a\n",
                       "web/__init__.py": "", "web/views.py": "VIEWS = []\n"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    sources = {".".join(p.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__"): p
               for p in tmp_path.rglob("*.py")}
    graph = import_graph(sources)
    assert ["services.a", "services.b"] in cycles(graph)
    assert "services.a → web.views" in wrong_way(graph)
