"""Reads that only read are served by a real streaming replica (DATABASE_READ_URL), writes never are.

A private primary and its hot standby (tests/pgreplica.py) run for the session; the app writes to a database
of its own on the primary and reads public pages, the dashboard and the board through the replica. Which
engine served a request is counted per engine (before_cursor_execute), and the replica's connections say
pg_is_in_recovery(). Only with REQUIRE_POSTGRES=1 (a replica that cannot start fails the run) or
POSTGRES_TESTS=1 (it skips).
"""
import secrets

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from app import create_app
from config import TestConfig
from demo.county import load_demo
from extensions import READ_BIND, db
from models import Base, HumanTask
from services import reading
from services.workflow import clock, deployments
from tests import factories, pgdb, pgreplica
from tests.conftest import login


@pytest.fixture(scope="session")
def pair():
    mode = pgdb.requested()
    if mode is None:
        pytest.skip("PostgreSQL tests not requested (REQUIRE_POSTGRES=1 or POSTGRES_TESTS=1)")
    try:
        started = pgreplica.start()
    except (pgreplica.ReplicaUnavailable, OSError) as exc:
        if mode == "required":
            pytest.fail(f"REQUIRE_POSTGRES=1 but the streaming replica could not start: {exc}")
        pytest.skip(f"streaming replica unavailable: {exc}")
    yield started
    pgreplica.stop(started)


@pytest.fixture(scope="module")
def replica_app(pair):
    """The demo county and one campaign published (with open 会诊 opinions) on the primary, read via the replica."""
    name = f"yiye_test_{secrets.token_hex(5)}"
    config = type("ReplicaTestConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": pgreplica.create_database(pair, name),
        "DATABASE_READ_URL": pair.url(name, replica=True), "READ_AFTER_WRITE_SECONDS": 0})
    app = create_app(config)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        deployments.deploy_bundled()
        load_demo()
    campaign_id, _scope = factories.campaign_at(app, "published")
    pgreplica.wait_replayed(pair)
    app.config["TEST_CAMPAIGN_ID"] = campaign_id
    yield app
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    clock.reset()


class Counted:
    """Statements sent to the primary and to the replica while it is active."""

    def __init__(self, app):
        with app.app_context():
            self.engines = {"primary": db.engine, "replica": db.engines[READ_BIND]}
        self.counts = dict.fromkeys(self.engines, 0)
        self.listeners = {name: self._listener(name) for name in self.engines}

    def _listener(self, name):
        def count(*_args):
            self.counts[name] += 1
        return count

    def __enter__(self):
        for name, engine in self.engines.items():
            event.listen(engine, "before_cursor_execute", self.listeners[name])
        return self

    def __exit__(self, *_exc):
        for name, engine in self.engines.items():
            event.remove(engine, "before_cursor_execute", self.listeners[name])


def test_the_replica_is_a_standby_and_the_read_path_uses_it(replica_app):
    with replica_app.app_context():
        assert db.session.scalar(text("SELECT pg_is_in_recovery()")) is False
        with reading.reading():
            assert db.session.scalar(text("SELECT pg_is_in_recovery()")) is True


def test_public_page_is_served_from_the_replica(replica_app):
    with Counted(replica_app) as counted:
        response = replica_app.test_client().get("/public/")
    assert response.status_code == 200
    assert "共 0 条" not in response.get_data(as_text=True)
    assert counted.counts["replica"] >= 2  # the count and the page of published results


@pytest.mark.parametrize("path", ["/public/plan/", "/public/matters/", "/public/matters.xlsx"])
def test_plan_and_matters_are_served_from_the_replica(replica_app, path):
    with Counted(replica_app) as counted:
        response = replica_app.test_client().get(path)
    assert response.status_code == 200
    assert counted.counts["replica"] > 0, counted.counts


def test_dashboard_and_board_are_served_from_the_replica(replica_app):
    client = replica_app.test_client()
    login(client, "supervisor")
    for path in ("/dashboard/", "/board/"):
        with Counted(replica_app) as counted:
            response = client.get(path)
        assert response.status_code == 200, path
        assert counted.counts["replica"] > counted.counts["primary"], (path, counted.counts)


def test_a_completion_on_the_primary_becomes_visible_on_the_replica(replica_app, pair):
    campaign_id = replica_app.config["TEST_CAMPAIGN_ID"]
    [task, *_] = factories.open_tasks(replica_app, campaign_id, "diagnosis_opinion")
    factories.give_opinions(replica_app, campaign_id)
    pgreplica.wait_replayed(pair)  # bounded: the replica's replay position reaches the primary's WAL position
    with replica_app.app_context(), reading.reading():
        assert db.session.scalar(text("SELECT pg_is_in_recovery()")) is True
        status = db.session.scalar(select(HumanTask.status).where(HumanTask.id == task["id"]))
    assert status == "completed"


def test_a_write_through_the_read_path_never_reaches_a_database(replica_app):
    with replica_app.app_context():
        before = db.session.scalar(select(HumanTask.id).order_by(HumanTask.id.desc()).limit(1))
        with reading.reading():
            db.session.get(HumanTask, before).status = "cancelled"
            with pytest.raises(reading.ReadOnlyViolation):
                db.session.flush()
        db.session.rollback()
        with reading.reading(), pytest.raises(DBAPIError, match="read-only"):
            # Past the session's guard (plain SQL), the standby itself refuses.
            db.session.execute(text("UPDATE human_task SET status = 'cancelled' WHERE id = :id"), {"id": before})
        db.session.rollback()
        assert db.session.get(HumanTask, before).status != "cancelled"


def test_a_user_reads_their_own_write_from_the_primary(replica_app):
    """After a form submit (any successful POST) the same browser's reads stay on the primary for a while."""
    replica_app.config["READ_AFTER_WRITE_SECONDS"] = 60
    try:
        client = replica_app.test_client()
        login(client, "supervisor")  # a POST: the session remembers when it wrote
        with Counted(replica_app) as counted:
            assert client.get("/dashboard/").status_code == 200
        assert counted.counts["replica"] == 0 and counted.counts["primary"] > 0
    finally:
        replica_app.config["READ_AFTER_WRITE_SECONDS"] = 0


def test_credit_export_reads_on_the_replica_and_audits_on_the_primary(replica_app):
    client = replica_app.test_client()
    login(client, "supervisor")
    with replica_app.app_context():
        today = clock.today().isoformat()
    with Counted(replica_app) as counted:
        response = client.get(f"/reports/credit.csv?start={today}&end={today}")
    assert response.status_code == 200
    assert counted.counts["replica"] >= 3  # results, decisions, penalties
    with replica_app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM audit_record WHERE action = 'credit.export'")) == 1
