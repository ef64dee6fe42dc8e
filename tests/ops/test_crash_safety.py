"""kill -9 of a process in the middle of a completion: the transaction either happened or not.

A child process completes the campaign's last joint inspection (which advances the case
instance AND the campaign instance) and is frozen inside the transaction, holding the
instance row locks; it is then killed with SIGKILL. Afterwards nothing is half-advanced, the
locks are gone (the task can be completed at once), and the audit chain is intact.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from extensions import db
from models import AuditRecord, Campaign, HumanTask, Inspection, WorkflowInstance
from services import audit, tasks
from models import User
from tests.concurrency.helpers import assert_instances_consistent, open_campaign, work_for

CHILD = Path(__file__).with_name("crash_child.py")


def _snapshot(campaign_id: int) -> dict:
    db.session.expire_all()
    instances = db.session.scalars(select(WorkflowInstance).where(WorkflowInstance.campaign_id == campaign_id)
                                   .order_by(WorkflowInstance.id)).all()
    return {
        "instances": [(i.id, i.lock_version, i.state, i.status) for i in instances],
        "tasks": db.session.execute(select(HumanTask.id, HumanTask.status).where(HumanTask.campaign_id == campaign_id)
                                    .order_by(HumanTask.id)).all(),
        "inspections": db.session.execute(select(Inspection.id, Inspection.status).where(
            Inspection.campaign_id == campaign_id)).all(),
        "stage": db.session.get(Campaign, campaign_id).stage,
        "audit": db.session.scalar(select(func.count()).select_from(AuditRecord)),
    }


def _kill_mid_completion(url: str, task_id: int, actor_id: int, payload: dict, pause: str, tmp_path: Path) -> None:
    marker = tmp_path / "frozen"
    child = subprocess.Popen([sys.executable, str(CHILD), url, str(task_id), str(actor_id),
                              json.dumps(payload, default=str), pause, str(marker)],
                             cwd=CHILD.parents[2], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not marker.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"child never froze: {child.stdout.read().decode(errors='replace')[-3000:]}")
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(30) == -signal.SIGKILL


@pytest.mark.parametrize("database,pause", [("postgres", "commit"), ("postgres", "instance"), ("sqlite", "commit")])
def test_kill_9_mid_completion_leaves_nothing_half_done(database, pause, request, tmp_path):
    app = request.getfixturevalue("pg_app" if database == "postgres" else "app")
    with app.app_context():
        campaign_id = open_campaign(1)
        [(task_id, actor_id, payload)] = work_for(campaign_id, "joint_inspection")
        before = _snapshot(campaign_id)
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()

    _kill_mid_completion(url, task_id, actor_id, payload, pause, tmp_path)

    with app.app_context():
        assert _snapshot(campaign_id) == before  # the killed transaction left no trace
        assert audit.verify().ok
        if database == "postgres":
            # The dead process's row locks went with its connection: the completion goes through at once.
            db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
        tasks.complete(db.session.get(User, actor_id), task_id, payload)
        assert db.session.get(Campaign, campaign_id).stage == "publication"
        assert len(work_for(campaign_id, "publication_approval", {})) == 1
        assert assert_instances_consistent(campaign_id) == 2
        assert audit.verify().ok
