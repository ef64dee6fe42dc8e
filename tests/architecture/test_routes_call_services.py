"""Routes and commands call services only: no query, no commit, no model import in web/ or cli/.

What remains of the database there is the request's and the worker's lifecycle, not data: the error handlers
and the timer worker loop roll a failed transaction back, and web/ops/database.py sets a per-connection lock
timeout. Those modules are named below; anything else that reaches for `db` or builds a SQL statement fails.
"""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIFECYCLE = {"web/errors.py", "web/ops/db_errors.py", "web/ops/database.py", "cli/worker.py"}
STATEMENTS = {"select", "update", "delete", "insert", "text", "func"}


def offences(path: Path, text: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module == "extensions" and any(a.name == "db" for a in node.names):
            found.append("imports the db object")
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy" and \
                STATEMENTS & {a.name for a in node.names}:
            found.append("builds SQL statements")
    if re.search(r"\.query\(|\bdb\.session\b", text):  # not flask.session: that is the cookie
        found.append("queries or commits")
    return [f"{path.relative_to(ROOT)}: {what}" for what in found]


def test_web_and_cli_reach_the_database_only_through_services():
    bad = []
    for top in ("web", "cli"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if str(path.relative_to(ROOT)) not in LIFECYCLE:
                bad += offences(path, path.read_text(encoding="utf-8"))
    assert bad == []


def test_the_check_catches_a_route_that_queries():
    route = ("from sqlalchemy import select\nfrom extensions import db\n"
             "def page():\n    return db.session.scalars(select(1)).all()\n")
    assert len(offences(ROOT / "web" / "x.py", route)) == 3
    assert offences(ROOT / "web" / "x.py", "from services import plans\ndef page():\n    plans.commit()\n") == []
