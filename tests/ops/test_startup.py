"""What a process pays to start (issue 12): every gunicorn worker, CLI command and test server builds the app.

Building it imports what every request path needs, not the libraries only a few paths use (PDF rendering,
workbooks, Alembic for migrations and the health check's head), and configures no ORM mapper at import time:
those come on first use. Checked in a fresh process, by what it imported, never by how long it took.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ON_FIRST_USE = ("alembic", "flask_migrate", "fpdf", "fontTools", "openpyxl")

_PROBE = """
import gc, json, sys
from app import create_app
from config import TestConfig
from models import User
create_app(TestConfig)
print(json.dumps({"imported": sorted({name.split(".")[0] for name in sys.modules}),
                  "mappers_configured": User.__mapper__.configured, "gc_enabled": gc.isenabled()}))
"""


def test_building_the_app_leaves_path_specific_libraries_and_mappers_for_first_use():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    assert not set(ON_FIRST_USE) & set(report["imported"])
    assert report["mappers_configured"] is False
    assert report["gc_enabled"] is True  # paused while the app was built, running again afterwards


def test_the_db_command_group_binds_flask_migrate_when_run(app):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["db", "--help"])
    assert listed.exit_code == 0 and "upgrade" in listed.output and "--directory" in listed.output
    heads = runner.invoke(args=["db", "heads"])  # Alembic prints to the stdout it found at import, not click's
    assert heads.exit_code == 0, heads.output
    assert app.extensions["migrate"].directory == str(ROOT / "migrations")
    assert type(app.extensions["migrate"]).__module__ == "flask_migrate"  # the real config replaced the stand-in
