"""A task completion whose next script breaks a sandbox limit, through the inbox page and the API;
and the server answering someone else while a runaway script runs."""
import threading

import pytest

from sqlalchemy import select

from extensions import db
from models import HumanTask
from engine.sandbox import script_engine
from demo.county import DEMO_PASSWORD
from tests.conftest import csrf_token
from tests.e2e.journey import submit, user_client
from tests.services.sandbox_probe import snapshot, start

SPINNING = "while True:\n    pass"


def _started(app, script: str) -> tuple[int, int]:
    with app.app_context():
        return start(script)


def test_completion_page_shows_the_domain_error_and_keeps_the_task(app):
    instance_id, task_id = _started(app, "n = 9 ** 9000")
    with app.app_context():
        before = snapshot(instance_id)
    response = submit(user_client(app, "supervisor"), task_id, [("special_decision", "approve")], expect=400)
    html = response.get_data(as_text=True)
    assert "脚本超出资源限制：「计算」（compute）（要生成的数据或整数超出大小限制）" in html
    assert "Traceback" not in html and "ScriptLimitExceeded" not in html and "WorkflowTaskException" not in html
    with app.app_context():
        assert snapshot(instance_id) == before
        assert db.session.get(HumanTask, task_id).status == "open"


def test_api_completion_answers_a_problem_document(app):
    _, task_id = _started(app, "x = [0] * 10**5\ny = '%s' * 20 % tuple([x] * 20)")
    token = app.test_client().post("/api/v1/tokens", json={"username": "supervisor", "password": DEMO_PASSWORD})
    bearer = token.get_json()["token"]
    response = app.test_client().post(f"/api/v1/tasks/{task_id}/complete", headers={"Authorization": f"Bearer {bearer}"},
                                      json={"data": {"special_decision": "approve"}})
    assert response.status_code == 400
    assert response.get_json()["detail"] == "脚本超出资源限制：「计算」（compute）（要生成的数据或整数超出大小限制）"


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_the_server_answers_another_request_while_a_runaway_script_runs(request, database, monkeypatch):
    app = request.getfixturevalue("pg_app" if database == "postgres" else "app")
    # Only the OS-level wall deadline can stop this script: the in-worker budgets are out of the way.
    app.config.update(SANDBOX_MAX_STEPS=10 ** 12, SANDBOX_MAX_SECONDS=1000.0, SANDBOX_WALL_SECONDS=4.0)
    running = threading.Event()
    monkeypatch.setitem(script_engine.FUNCTIONS, "mark_running", lambda: running.set())
    _, task_id = _started(app, "mark_running()\n" + SPINNING)
    runaway_client, other_client = user_client(app, "supervisor"), user_client(app, "supervisor")
    token = csrf_token(runaway_client, f"/inbox/tasks/{task_id}")
    finished: list[str] = []
    answers = {}

    def complete():
        answers["runaway"] = runaway_client.post(f"/inbox/tasks/{task_id}",
                                                 data={"csrf_token": token, "special_decision": "approve"})
        finished.append("runaway")

    thread = threading.Thread(target=complete)
    thread.start()
    try:
        assert running.wait(60), "the script never started"
        answers["other"] = other_client.get("/inbox/")  # while the runaway is in its sandbox worker
        finished.append("other")
    finally:
        thread.join()
    assert finished == ["other", "runaway"]
    assert answers["other"].status_code == 200 and "待办" in answers["other"].get_data(as_text=True)
    assert answers["runaway"].status_code == 400
    assert "脚本超出资源限制：「计算」（compute）（超出 CPU 时间、内存或时限，已被强制终止）" in \
        answers["runaway"].get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(HumanTask.status).where(HumanTask.id == task_id)).one() == "open"
