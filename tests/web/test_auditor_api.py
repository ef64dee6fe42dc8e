"""The auditor through the JSON API: reads are audited like its page views, writes refused like on the pages."""
from sqlalchemy import func, select

from demo.county import DEMO_PASSWORD
from extensions import db
from models import AuditRecord


def _token(client) -> str:
    response = client.post("/api/v1/tokens", json={"username": "auditor", "password": DEMO_PASSWORD})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["token"]


def _views(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.action == "auditor.view"))


def test_auditor_api_reads_are_audited_and_writes_refused(app):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {_token(client)}"}
    before = _views(app)
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 200
    assert _views(app) == before + 1
    refused = client.post("/api/v1/tasks/1/complete", headers=headers, json={"data": {}})
    assert refused.status_code == 403 and "只能查看" in refused.get_json()["detail"]
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204  # its own token: allowed
