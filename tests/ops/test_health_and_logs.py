"""/healthz (database, migrations, worker heartbeat) and the one-JSON-line-per-request log."""
import json
import logging
from datetime import timedelta

from sqlalchemy import text

from app import create_app
from config import TestConfig
from extensions import db
from services.workflow import clock
from tests.conftest import login
from web.ops.request_log import REQUEST_LOGGER, JsonFormatter


def _sql(app, *statements):
    with app.app_context(), db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_healthz_ok_on_a_migrated_database_without_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["checks"]["database"]["status"] == "ok"
    migrations = body["checks"]["migrations"]
    assert migrations["status"] == "ok" and migrations["database"] == migrations["head"] != []
    assert body["checks"]["worker"]["status"] == "unknown"  # no timer worker has run yet
    assert client.get("/livez").get_json() == {"status": "ok"}


def test_healthz_reads_the_worker_heartbeat(app, client):
    from models import WorkerHeartbeat
    fresh = clock.now() - timedelta(seconds=10)
    with app.app_context():
        db.session.add(WorkerHeartbeat(worker_id="host:1:w1", started_at=fresh, beat_at=fresh))
        db.session.commit()
    body = client.get("/healthz").get_json()
    assert body["checks"]["worker"]["status"] == "ok"
    _sql(app, f"UPDATE worker_heartbeat SET beat_at = '{(fresh - timedelta(minutes=10)).isoformat(sep=' ')}'")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["checks"]["worker"]["status"] == "fail"
    assert client.get("/healthz?scope=app").status_code == 200  # the load balancer's view: this app server is fine
    _sql(app, f"UPDATE worker_heartbeat SET beat_at = '{fresh.isoformat(sep=' ')}', "
              f"stopped_at = '{fresh.isoformat(sep=' ')}'")
    assert client.get("/healthz").get_json()["checks"]["worker"] == {
        "status": "fail", "detail": "no running worker has sent a heartbeat"}  # stopped cleanly: not alive


def test_healthz_fails_when_migrations_are_behind(app, client):
    _sql(app, "UPDATE alembic_version SET version_num = '746f5f6260e3'")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"]["database"] == ["746f5f6260e3"]


def test_healthz_fails_when_the_database_is_unreachable():
    app = create_app(type("Down", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none",
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}}))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["status"] == "fail"
    # /livez never touches the database: the process is up, it says so.
    assert app.test_client().get("/livez").status_code == 200


def test_one_structured_line_per_request(app, client, caplog):
    login(client, "scjg_01")
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        response = client.get("/inbox/", headers={"X-Request-ID": "req-42"})
    assert response.headers["X-Request-ID"] == "req-42"
    [record] = [r for r in caplog.records if r.name == REQUEST_LOGGER and r.fields["path"] == "/inbox/"]
    line = json.loads(JsonFormatter().format(record))
    with app.app_context():
        from models import User
        from sqlalchemy import select
        user_id = db.session.scalar(select(User.id).where(User.username == "scjg_01"))
    assert line["msg"] == "request" and line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"], line["user_id"], line["request_id"]) == (
        "GET", "/inbox/", 200, user_id, "req-42")
    assert isinstance(line["duration_ms"], float) and "ts" in line


def test_request_id_generated_when_absent(client):
    assert len(client.get("/livez").headers["X-Request-ID"]) == 32
