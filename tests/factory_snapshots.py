"""Factory states kept per test process: a campaign driven to a stage once, restored for the next identical call.

`factories.campaign_at` drives a campaign through the use cases (plans, tasks.complete: validation, authorization,
audit), a second or more of CPU for the later stages, and dozens of tests ask for the very same campaign on a fresh
copy of the template database. The first such call drives and keeps a copy of the database it left (SQLite's backup
API, in memory); a later identical call restores that copy instead of driving again.

Why a restored state is one that driving would have produced — a call is served from a copy only when everything
its outcome depends on is the same as when the copy was made, and it drives whenever that cannot be shown:
- the database: a file `conftest.app_on_copy` copied from the template, still byte for byte the template (main file
  equal, write-ahead log empty), no connection of the app checked out (no transaction open in it);
- the arguments of the call, the app's whole configuration (but the file's own name) and the process's environment
  (but pytest's per-test variable);
- the test's own directory (the database file's): it holds nothing but the database, and a setting naming a path in
  it (EVIDENCE_DIR = tmp_path / "evidence") is keyed by the path's place in it. A copy is kept only if driving
  left the directory so and the database holds no trace of the directory's name: driving neither read nor wrote
  anything there nor recorded where it is, so it would do the same in another test's directory;
- the clock: the same Beijing date and the same total offset (in-process and shared, to the second), so deadlines,
  periods and years come out the same (the stored times are those of the first drive, earlier by the seconds since);
- the code: the same process, and no test that patches anything (`monkeypatch`: those tests always drive).
What driving leaves outside the database is caches only (parsed models, the working-day calendar, compiled SQL),
which serve any test the same. The draw's seed is random on every drive: a kept draw is one drive's draw.
The returned value (ids and the scope) is kept with the copy and handed out as a deep copy.
"""
import copy
import os
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy.engine import make_url

from extensions import db
from services.workflow import clock

_copies: dict[str, str] = {}  # database file -> the template file it was copied from
_templates: dict[str, bytes] = {}  # template file -> its content
_kept: dict[tuple, tuple[sqlite3.Connection, object]] = {}
_patching = True  # until a test that patches nothing starts (conftest's pytest_runtest_setup)
stats = {"driven": 0, "restored": 0}


def note_copy(path, template: str) -> None:
    """`path` is a fresh copy of `template` (conftest.app_on_copy)."""
    _copies[str(path)] = str(template)


def set_patching(patching: bool) -> None:
    global _patching
    _patching = patching


def reuse_or_drive(app, call: tuple, drive: Callable[[], object]):
    """`drive()`'s result, and its effect on the app's database: restored from a kept copy when one was made for
    the same state and call, else by calling it (and keeping a copy when the state was the template's)."""
    key = _state_key(app, call)
    if key is not None and key in _kept:
        kept, result = _kept[key]
        with closing(sqlite3.connect(_database_file(app))) as target:
            kept.backup(target)
        stats["restored"] += 1
        return copy.deepcopy(result)
    result = drive()
    stats["driven"] += 1
    if key is not None:
        _keep(key, _database_file(app), result)
    return result


def _keep(key: tuple, path: str, result) -> None:
    kept = sqlite3.connect(":memory:", check_same_thread=False)
    with closing(sqlite3.connect(path)) as source:
        source.backup(kept)
    directory = os.path.basename(os.path.dirname(path)).encode()
    if _alone(path) and directory not in kept.serialize():
        _kept[key] = (kept, copy.deepcopy(result))
    else:
        kept.close()


def _database_file(app) -> str | None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.database if url.get_backend_name() == "sqlite" else None


def _state_key(app, call: tuple) -> tuple | None:
    """Everything the call's outcome depends on, or None when the database is not an untouched template copy."""
    path = _database_file(app)
    template = _copies.get(path)
    if _patching or template is None or not _alone(path) or not _untouched(app, path, template):
        return None
    home = os.path.dirname(path) + os.sep
    config = tuple(sorted((k, repr(v).replace(home, "<test directory>/")) for k, v in app.config.items()
                          if k != "SQLALCHEMY_DATABASE_URI"))
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"))
    with app.app_context():
        shift = clock.now() - datetime.now(timezone.utc).replace(tzinfo=None)
        moment = (clock.today(), round(shift.total_seconds()))
    return (template, call, config, environment, moment)


def _alone(path: str) -> bool:
    """The database's directory holds the database (and its log and index) and nothing else."""
    name = os.path.basename(path)
    return set(os.listdir(os.path.dirname(path))) <= {name, f"{name}-wal", f"{name}-shm", f"{name}-journal"}


def _untouched(app, path: str, template: str) -> bool:
    with app.app_context():
        for engine in db.engines.values():
            checked_out = getattr(engine.pool, "checkedout", None)
            if checked_out is None or checked_out():
                return False
    wal = f"{path}-wal"
    if os.path.exists(wal) and os.path.getsize(wal) > 0:
        return False
    if template not in _templates:
        with open(template, "rb") as f:
            _templates[template] = f.read()
    with open(path, "rb") as f:
        return f.read() == _templates[template]
