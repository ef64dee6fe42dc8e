"""A completion blocked on an instance row lock gives up after lock_timeout with a 409, not a 500 or a hang."""
from sqlalchemy import event, text

from extensions import db
from models import HumanTask
from tests.concurrency.helpers import initiation_payload, open_campaign, work_for


def test_blocked_completion_answers_409(pg_app):
    with pg_app.app_context():
        campaign_id = open_campaign(3, confirm=False)
        [(task_id, _, _)] = work_for(campaign_id, "initiation", {})
        instance_id = db.session.get(HumanTask, task_id).instance_id
        payload = initiation_payload()
        db.engine.dispose()
        event.listen(db.engine, "connect", lambda conn, _: conn.execute("SET lock_timeout = '300ms'"))
    client = pg_app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "scjg_01", "password": "demo12345"}).get_json()["token"]
    with pg_app.app_context(), db.engine.connect() as holder:
        # Someone else (a stuck process) holds the instance row.
        holder.execute(text("SELECT id FROM workflow_instance WHERE id = :id FOR UPDATE"), {"id": instance_id})
        response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": payload},
                               headers={"Authorization": f"Bearer {token}"})
        holder.rollback()
    assert response.status_code == 409
    assert response.content_type == "application/problem+json" and "重试" in response.get_json()["detail"]
    with pg_app.app_context():
        assert db.session.get(HumanTask, task_id).status == "open"  # rolled back: the task can be done again
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": payload},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
