"""JSON API: token login, tasks, completion with the same validation and authorization as the pages."""

from extensions import db
from models import HumanTask
from demo.county import DEMO_PASSWORD
from tests.e2e.journey import open_tasks
from tests.factories import plan_and_approve, scope


def _token(client, username: str) -> dict:
    response = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_openapi_document_lists_the_paths(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/tokens", "/tasks", "/tasks/{task_id}", "/tasks/{task_id}/complete", "/campaigns"} <= set(doc["paths"])


def test_requests_without_token_get_a_problem_document(client):
    response = client.get("/api/v1/tasks")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert client.post("/api/v1/tokens", json={"username": "supervisor", "password": "x"}).status_code == 401
    assert client.post("/api/v1/tokens", json={}).status_code == 422


def test_complete_initiation_over_the_api(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    client = app.test_client()
    headers = _token(client, "scjg_01")
    listing = client.get("/api/v1/tasks", headers=headers).get_json()
    task_id = next(t["id"] for t in listing["pool"] if t["form_key"] == "initiation")
    detail = client.get(f"/api/v1/tasks/{task_id}", headers=headers).get_json()
    names = [f["name"] for f in detail["form"]["fields"]]
    assert names == ["partner_department_ids", "matter_ids", "checklist_revision_id", "note"]

    bad = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers,
                      json={"data": {"partner_department_ids": ["x"], "matter_ids": []}})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"partner_department_ids", "matter_ids"}

    ok = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers,
                     json={"data": {"partner_department_ids": s["partners"], "matter_ids": s["matters"]}})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["status"] == "completed"
    again = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers,
                        json={"data": {"partner_department_ids": s["partners"], "matter_ids": s["matters"]}})
    assert again.status_code == 409
    assert len(open_tasks(app, campaign_id, "partner_confirmation")) == len(s["partners"])

    campaign = client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).get_json()
    assert campaign["stage"] == "initiation"
    assert {d["status"] for d in campaign["departments"]} == {"confirmed", "invited"}


def test_api_refuses_other_departments_tasks(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    [task] = open_tasks(app, campaign_id, "initiation")
    client = app.test_client()
    headers = _token(client, "xf_01")
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=headers).status_code == 403
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers,
                           json={"data": {"partner_department_ids": s["partners"], "matter_ids": s["matters"]}})
    assert response.status_code == 403
    assert client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).status_code == 403
    with app.app_context():
        assert db.session.get(HumanTask, task["id"]).status == "open"
