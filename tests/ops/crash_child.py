"""Run one task completion and freeze inside its transaction, for the parent test to kill -9.

usage: crash_child.py DATABASE_URL TASK_ID ACTOR_ID PAYLOAD_JSON PAUSE MARKER
PAUSE is `commit` (every statement sent, COMMIT not yet) or `instance` (just after the first
workflow_instance UPDATE, the rest of the use case not yet run). When frozen, MARKER is written.
"""
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from config import TestConfig  # noqa: E402
from extensions import db  # noqa: E402
from models import User  # noqa: E402
from services.workflow import tasks  # noqa: E402


def freeze(marker: str) -> None:
    Path(marker).write_text("frozen")
    while True:
        time.sleep(60)


def main(url: str, task_id: str, actor_id: str, payload: str, pause: str, marker: str) -> None:
    app = create_app(type("CrashConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        if pause == "commit":
            event.listen(db.engine, "commit", lambda conn: freeze(marker))
        else:
            def after(conn, cursor, statement, *args):
                if statement.lstrip().upper().startswith("UPDATE WORKFLOW_INSTANCE"):
                    freeze(marker)
            event.listen(db.engine, "after_cursor_execute", after)
        tasks.complete(db.session.get(User, int(actor_id)), int(task_id), json.loads(payload))
    sys.exit("completed without freezing")


if __name__ == "__main__":
    main(*sys.argv[1:])
