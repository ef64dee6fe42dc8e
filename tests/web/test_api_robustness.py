"""schemathesis against /api/v1/openapi.json: no 500s, every error a JSON problem document.

Each operation gets a few generated requests (valid and invalid bodies, path ids, with and
without a token); kept small so the suite stays quick.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

EXAMPLES = 8
# A draft's or an upload's validity depends on the task's form and the file's bytes, which no schema can say:
# a schema-valid one may rightly get 422 (a field the form lacks, a file that is not a photo or PDF).
CONTENT_CHECKED = {"/tasks/{task_id}/draft", "/tasks/{task_id}/evidence"}


def _check(response) -> None:
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        headers = {k.lower(): v for k, v in response.headers.items()}
        content_type = headers["content-type"][0] if isinstance(headers["content-type"], list) else headers["content-type"]
        assert content_type.startswith("application/problem+json"), (response.status_code, headers)
        body = response.json()
        assert body["status"] == response.status_code and body["title"] and "detail" in body


def test_every_operation_against_its_schema(app):
    """0 × 5xx and 0 schema violations: every response is checked against the document (status code documented,
    content type, headers, body schema — date-times with their offset included), not only for a 5xx."""
    client = app.test_client()

    def fresh_token() -> str:  # one per request: DELETE /tokens/current and /tokens/{id} revoke what they get
        return client.post("/api/v1/tokens", json={"username": "scjg_01", "password": "demo12345"}).get_json()["token"]

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    checked = []
    for operation in operations:
        for with_token in (True, False):
            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            def run(case):
                if operation.path == "/tokens":
                    return  # logins: covered by the rate-limit tests (generated ones would trip the limiter)
                auth = {"Authorization": f"Bearer {fresh_token()}"} if with_token else {}
                # The in-process WSGI transport hands back bodies as sent: ask for them uncompressed
                # (compression itself is tested in tests/web/test_static_caching.py).
                auth["Accept-Encoding"] = "identity"
                response = case.call(headers=auth)
                _check(response)
                # ignored_auth replays with a mangled token but keeps ours: not meaningful with explicit headers.
                excluded = [ignored_auth, *([positive_data_acceptance] if operation.path in CONTENT_CHECKED else [])]
                case.validate_response(response, excluded_checks=excluded, headers=auth)
                checked.append(response.status_code)
            run()
    assert len(checked) > 25 and any(code == 200 for code in checked) and any(code >= 400 for code in checked)


@pytest.mark.parametrize("path,body", [("/api/v1/tasks/1/complete", "not json"), ("/api/v1/tasks/999999", None),
                                        ("/api/v1/nowhere", None), ("/api/v1/tokens", "[1, 2]")])
def test_malformed_requests_get_problem_documents(client, path, body):
    response = client.post(path, data=body, content_type="application/json") if body else client.get(path)
    assert 400 <= response.status_code < 500
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_numbers_beyond_integer_columns(database, request):
    # Found by schemathesis: GET /api/v1/campaigns/359292387555848814592 was a 500.
    app = request.getfixturevalue("app" if database == "sqlite" else "pg_app")
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "scjg_01", "password": "demo12345"}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/campaigns/359292387555848814592", f"/api/v1/tasks/{2**31}"):
        response = client.get(path, headers=auth)
        assert response.status_code == 404 and response.content_type == "application/problem+json"


def _auth(client) -> dict:
    token = client.post("/api/v1/tokens", json={"username": "scjg_01", "password": "demo12345"}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("query", ["/enterprises?page=null", "/enterprises?page=", "/enterprises?per_page=0",
                                   "/enterprises?per_page=1000", "/enterprises?industry_id=null",
                                   "/enterprises?region_id=", "/officials?department_id=abc", "/experts?page=-1",
                                   "/matters?department_id=null", "/industries/1/checklist?revision=",
                                   f"/enterprises?page={10**30}", f"/enterprises?industry_id={2**31}"])
def test_integer_query_parameters_refuse_null_and_empty(client, query):
    response = client.get("/api/v1" + query, headers=_auth(client))
    assert response.status_code == 400, query
    body = response.get_json()
    assert response.content_type == "application/problem+json" and body["status"] == 400
    assert body["title"] == "查询参数有误" and query.split("?")[1].split("=")[0] in body["detail"]


def test_date_times_carry_the_beijing_offset(app, client):
    from datetime import datetime, timedelta
    from demo.simulate import simulate
    from extensions import db
    from models import Campaign
    with app.app_context():
        simulate(2, say=lambda _text: None, until="报到")
        campaign = db.session.scalars(db.select(Campaign)).first()
        created = campaign.created_at
    auth = _auth(client)
    token = client.post("/api/v1/tokens", json={"username": "scjg_01", "password": "demo12345"}).get_json()
    assert token["expires_at"].endswith("+08:00")
    [listed] = [c for c in client.get("/api/v1/campaigns", headers=auth).get_json()["items"] if c["id"] == campaign.id]
    assert listed["created_at"].endswith("+08:00")
    assert datetime.fromisoformat(listed["created_at"]).replace(tzinfo=None) == (created + timedelta(hours=8)).replace(microsecond=0)
    detail = client.get(f"/api/v1/campaigns/{campaign.id}", headers=auth).get_json()
    assert all(s["entered_at"].endswith("+08:00") for s in detail["stages"])
    supervisor = client.post("/api/v1/tokens", json={"username": "supervisor", "password": "demo12345"}).get_json()["token"]
    tasks = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {supervisor}"}).get_json()
    for task in tasks["mine"] + tasks["pool"]:
        assert task["created_at"].endswith("+08:00")


def test_405_carries_allow_and_is_documented(client):
    response = client.delete("/api/v1/campaigns")
    assert response.status_code == 405 and response.content_type == "application/problem+json"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD", "OPTIONS"}
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if method in ("get", "post", "delete"):
                assert "Allow" in operation["responses"]["405"]["headers"], (method, path)
    assert "Retry-After" in doc["paths"]["/tokens"]["post"]["responses"]["429"]["headers"]
    assert "+08:00" in doc["info"]["description"]


def test_429_after_too_many_failed_logins(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert client.post("/api/v1/tokens", json={"username": "scjg_09", "password": "wrong"}).status_code == 401
    limited = client.post("/api/v1/tokens", json={"username": "scjg_09", "password": "wrong"})
    assert limited.status_code == 429 and limited.content_type == "application/problem+json"
    assert limited.get_json()["status"] == 429 and int(limited.headers["Retry-After"]) > 0


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_control_characters_in_text_filters(database, request):
    # Found by schemathesis: a NUL in q broke FTS5 MATCH on SQLite (500) and is refused by PostgreSQL.
    app = request.getfixturevalue("app" if database == "sqlite" else "pg_app")
    client = app.test_client()
    auth = _auth(client)
    for path in ("/enterprises?q=F9%00x", "/officials?q=%00&specialty=%01", "/experts?field=a%00b", "/matters?q=%00"):
        response = client.get("/api/v1" + path, headers=auth)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
