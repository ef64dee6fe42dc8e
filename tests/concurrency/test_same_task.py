"""Two people completing the same task at the same moment: exactly one wins, the other is told clearly."""
import threading

import pytest
from sqlalchemy import select

from extensions import db
from models import Department, HumanTask
from tests.concurrency.helpers import initiation_payload, open_campaign, work_for
from tests.conftest import csrf_token, login


def _race(app):
    with app.app_context():
        campaign_id = open_campaign(3, confirm=False)
        [(initiation, _, _)] = work_for(campaign_id, "initiation", {})
        from services.workflow import tasks
        from models import User
        tasks.complete(db.session.scalars(select(User).where(User.username == "scjg_01")).one(), initiation,
                       initiation_payload())
        task = db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign_id,
                                                          HumanTask.form_key == "partner_confirmation")).first()
        code = db.session.get(Department, task.department_id).code
        task_id = task.id
    # Two officials of the same department, both entitled to the department's task: one on the page, one by API.
    page = app.test_client()
    login(page, f"{code}_01")
    token = csrf_token(page, f"/inbox/tasks/{task_id}")
    api = app.test_client()
    bearer = api.post("/api/v1/tokens", json={"username": f"{code}_02", "password": "demo12345"}).get_json()["token"]
    barrier, out = threading.Barrier(2), {}

    def by_page():
        barrier.wait()
        try:
            out["page"] = page.post(f"/inbox/tasks/{task_id}", data={"csrf_token": token, "decision": "confirm"})
        except Exception as exc:  # noqa: BLE001 - shown by the assertion below
            out["page"] = exc

    def by_api():
        barrier.wait()
        try:
            out["api"] = api.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"decision": "confirm"}},
                                  headers={"Authorization": f"Bearer {bearer}"})
        except Exception as exc:  # noqa: BLE001 - shown by the assertion below
            out["api"] = exc

    threads = [threading.Thread(target=by_page), threading.Thread(target=by_api)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        return out, task.status, task.completed_by.username, code


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_same_task_twice_at_once(database, request):
    app = request.getfixturevalue("sqlite_app" if database == "sqlite" else "pg_app")
    out, status, winner, code = _race(app)
    page, api = out["page"], out["api"]
    assert not isinstance(page, Exception) and not isinstance(api, Exception), out
    assert status == "completed"
    assert sorted([page.status_code, api.status_code]) in ([200, 409], [302, 409])
    if api.status_code == 409:
        assert winner == f"{code}_01" and page.status_code == 302
        body = api.get_json()
        assert api.content_type == "application/problem+json" and body["status"] == 409
        assert "已" in body["detail"] and "办理" in body["detail"]
    else:
        assert winner == f"{code}_02" and api.status_code == 200
        html = page.get_data(as_text=True)
        assert "办理" in html and "409" in html
