"""Migrations import no live project code: editing a module must never change what an old revision does."""
import ast
from pathlib import Path

import pytest

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
PROJECT_PACKAGES = {"app", "config", "extensions", "domain", "models", "services", "web", "cli", "engine", "forms",
                    "schemas", "demo"}


@pytest.mark.parametrize("path", sorted(VERSIONS.glob("*.py")), ids=lambda p: p.stem)
def test_revision_imports_only_alembic_sqlalchemy_and_the_standard_library(path):
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & PROJECT_PACKAGES, f"{path.name} imports {sorted(imported & PROJECT_PACKAGES)}"


def test_the_audit_migration_keeps_its_frozen_hash():
    """b8pr0duct10n chained the records that existed then with its own copy of the sha256-v1 hash."""
    import importlib.util
    from datetime import datetime

    from domain.audit_chain import record_hash
    spec = importlib.util.spec_from_file_location("b8", VERSIONS / "b8pr0duct10n_audit_hash_chain.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fields = {"seq": 1, "at": datetime(2026, 11, 25, 14, 49, 17, 507611), "actor_id": 3, "action": "plan.approve",
              "object_type": "plan_entry", "object_id": 9, "campaign_id": None, "detail": {"备注": "同意"},
              "prev_hash": module.GENESIS_HASH}
    assert module.record_hash(fields) == record_hash(fields)
    assert module.GENESIS_HASH == "0" * 64
