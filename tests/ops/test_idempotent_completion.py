"""Completions with a key: a repeat gets the first outcome; a 409 says who completed the task.

The API takes an Idempotency-Key header; the web form carries a fresh key per render. Run on
SQLite here; tests/ops/test_crash_safety.py retries with the key after kill -9 on PostgreSQL.
"""
import re

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import AuditRecord, CampaignDepartment, CompletionKey, Department, HumanTask
from demo.county import DEMO_PASSWORD
from tests.conftest import csrf_token
from tests.e2e.journey import initiate, open_tasks, plan_and_approve, scope, submit, user_client

ENGLISH = {"Accept-Language": "en"}


def _token(client, username: str) -> dict:
    response = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _completions(app, task_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.action == "task.complete", AuditRecord.object_id == task_id))


def _initiation(app):
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    [task] = open_tasks(app, campaign_id, "initiation")
    return s, campaign_id, task["id"], {"partner_department_ids": s["partners"], "matter_ids": s["matters"]}


def test_the_same_key_twice_gives_the_same_200(app):
    s, campaign_id, task_id, data = _initiation(app)
    client = app.test_client()
    headers = {**_token(client, "scjg_01"), "Idempotency-Key": "7f1c2a9e-first-try"}
    first = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers, json={"data": data})
    assert first.status_code == 200 and first.headers["Idempotent-Replayed"] == "false"
    again = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers, json={"data": data})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.get_json()["status"] == "completed"
    assert _completions(app, task_id) == 1
    # The partners were invited once, not twice.
    assert len(open_tasks(app, campaign_id, "partner_confirmation")) == len(s["partners"])
    # Without the key the same person is told they did it themselves.
    plain = client.post(f"/api/v1/tasks/{task_id}/complete", headers=_token(client, "scjg_01"), json={"data": data})
    assert plain.status_code == 409
    assert plain.get_json()["completed_by"] == "you" and plain.get_json()["detail"] == "您已办理过该任务"


def test_a_colleague_who_completed_it_is_named_as_someone_else(app):
    _, _, task_id, data = _initiation(app)
    client = app.test_client()
    done = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data},
                       headers={**_token(client, "scjg_01"), "Idempotency-Key": "mine-1"})
    assert done.status_code == 200
    # A colleague of the same department, with their own key (even the same string): not a repeat of theirs.
    late = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data},
                       headers={**_token(client, "scjg_02"), "Idempotency-Key": "mine-1"})
    assert late.status_code == 409
    body = late.get_json()
    assert body["completed_by"] == "someone_else" and "其他同事" in body["detail"]
    english = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data},
                          headers={**_token(client, "scjg_02"), **ENGLISH})
    assert "a colleague" in english.get_json()["detail"]
    assert _completions(app, task_id) == 1


def test_a_key_reused_for_another_task_is_refused_and_bad_keys_too(app):
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    [first, second, *_] = open_tasks(app, campaign_id, "partner_confirmation")
    client = app.test_client()
    with app.app_context():
        codes = {t["id"]: db.session.get(Department, t["department_id"]).code for t in (first, second)}
    headers = {**_token(client, f"{codes[first['id']]}_01"), "Idempotency-Key": "k-1"}
    assert client.post(f"/api/v1/tasks/{first['id']}/complete", headers=headers,
                       json={"data": {"decision": "confirm"}}).status_code == 200
    if codes[first["id"]] == codes[second["id"]]:
        reused = client.post(f"/api/v1/tasks/{second['id']}/complete", headers=headers,
                             json={"data": {"decision": "confirm"}})
        assert reused.status_code == 422 and "另一项任务" in reused.get_json()["detail"]
    too_long = client.post(f"/api/v1/tasks/{second['id']}/complete", json={"data": {"decision": "confirm"}},
                           headers={**_token(client, f"{codes[second['id']]}_01"), "Idempotency-Key": "x" * 101})
    assert too_long.status_code == 422 and "idempotency_key" in too_long.get_json()["errors"]
    with app.app_context():
        assert db.session.get(HumanTask, second["id"]).status == "open"
        assert db.session.scalar(select(func.count()).select_from(CompletionKey)) == 1


def test_the_web_form_resubmitted_with_its_key_answers_as_the_first_time(app):
    s, campaign_id, task_id, _ = _initiation(app)
    lead = user_client(app, "scjg_01")
    html = lead.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    key = re.search(r'name="completion_key" value="([0-9a-f]{32})"', html).group(1)
    fields = MultiDict([("csrf_token", csrf_token(lead, f"/inbox/tasks/{task_id}")), ("completion_key", key)]
                       + [("partner_department_ids", str(p)) for p in s["partners"]]
                       + [("matter_ids", str(m)) for m in s["matters"]])
    first = lead.post(f"/inbox/tasks/{task_id}", data=fields)
    assert first.status_code == 302
    again = lead.post(f"/inbox/tasks/{task_id}", data=fields, follow_redirects=True)  # the browser resends
    assert again.status_code == 200
    assert "已办理：牵头部门吹哨" in again.get_data(as_text=True)
    assert _completions(app, task_id) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CampaignDepartment).where(
            CampaignDepartment.campaign_id == campaign_id, CampaignDepartment.role == "partner")) == len(s["partners"])
    # A fresh render gets a fresh key.
    assert key not in lead.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)


def test_a_colleague_submitting_the_web_form_is_told_someone_else_did_it(app):
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    task = open_tasks(app, campaign_id, "partner_confirmation")[0]
    with app.app_context():
        code = db.session.get(Department, task["department_id"]).code
    first, second = user_client(app, f"{code}_01"), user_client(app, f"{code}_02")
    html = second.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    key = re.search(r'name="completion_key" value="([0-9a-f]{32})"', html).group(1)
    token = csrf_token(second, f"/inbox/tasks/{task['id']}")
    submit(first, task["id"], [("decision", "confirm")])
    late = second.post(f"/inbox/tasks/{task['id']}", data={"csrf_token": token, "completion_key": key,
                                                           "decision": "confirm"})
    assert late.status_code == 409
    assert "办理人是其他同事，不是您" in late.get_data(as_text=True)
    late_en = second.post(f"/inbox/tasks/{task['id']}", headers=ENGLISH,
                          data={"csrf_token": token, "completion_key": key, "decision": "confirm"})
    assert "completed by a colleague" in late_en.get_data(as_text=True)
