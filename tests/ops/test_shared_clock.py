"""One application clock for every process: an operator moves "now" for the web and the workers together.

The shift is a database row set with `flask --app app clock set`; every process re-reads it within
CLOCK_REFRESH_SECONDS. Production refuses it unless CLOCK_DRILL=1.
"""
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app import create_app
from extensions import db
from models import AuditRecord, ClockSetting, Notification, Timer
from services.workflow import clock, timers
from tests.waiting import wait_for
from tests.conftest import _config_for, login
from tests.services import worker_app  # noqa: F401 - registers the "test.sleep" timer kind here too

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")


def _second_process_app(app):
    """Another process's view of the same database: its own app, engine and clock cache."""
    return create_app(_config_for(app.config["SQLALCHEMY_DATABASE_URI"]))


def test_the_cli_moves_now_for_every_process_and_clear_brings_it_back(app):
    other = _second_process_app(app)
    with other.app_context():
        clock.refresh_shared()  # what each request and worker loop of that process does first
        before = clock.now()
    result = app.test_cli_runner().invoke(args=["clock", "set", "--advance", "3d", "--reason", "演练：逾期提醒"])
    assert result.exit_code == 0, result.output
    assert "in effect" in result.output
    time.sleep(float(other.config["CLOCK_REFRESH_SECONDS"]))  # the other process re-reads within this
    with other.app_context():
        clock.refresh_shared()
        shifted = clock.now()
    assert timedelta(days=3) <= shifted - before < timedelta(days=3, minutes=5)
    with app.app_context():  # the process that set it uses it at once
        assert clock.now() - before >= timedelta(days=3)
    with app.app_context():
        assert db.session.get(ClockSetting, 1).offset_seconds == 3 * 86400
        assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.action == "clock.shift")) == 1
    # A web request of the other process reads the shift first: its audit records carry the shifted time.
    client = other.test_client()
    login(client, "scjg_01")
    with other.app_context():
        login_at = db.session.scalars(select(AuditRecord.at).where(AuditRecord.action == "auth.login")
                                      .order_by(AuditRecord.id.desc()).limit(1)).one()
    assert login_at - before >= timedelta(days=3)

    result = app.test_cli_runner().invoke(args=["clock", "clear"])
    assert result.exit_code == 0 and "real time" in result.output
    time.sleep(float(other.config["CLOCK_REFRESH_SECONDS"]))  # the other process re-reads within this
    with other.app_context():
        clock.refresh_shared()
        assert clock.now() - before < timedelta(minutes=5)


def test_set_to_a_moment_and_bad_input_changes_nothing(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["clock", "set", "--to", "2027-01-04T09:00", "--reason", "演练"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        now = clock.now()
        assert abs(now - (now.replace(year=2027, month=1, day=4, hour=1, minute=0, second=0, microsecond=0))) \
            < timedelta(minutes=5)  # 09:00 Beijing = 01:00 UTC
        stored = db.session.get(ClockSetting, 1).offset_seconds
    for args in (["--advance", "soon"], ["--advance", "3d", "--to", "2027-01-01"], ["--to", "yesterday"],
                 ["--advance", "4000d"], ["--advance", "1d", "--reason", "  "]):
        bad = runner.invoke(args=["clock", "set", *args, *(["--reason", "x"] if "--reason" not in args else [])])
        assert bad.exit_code != 0, args
    with app.app_context():
        assert db.session.get(ClockSetting, 1).offset_seconds == stored


def test_refused_in_production_unless_a_drill(app):
    locked = create_app(type("NoShift", (_config_for(app.config["SQLALCHEMY_DATABASE_URI"]),),
                             {"CLOCK_SHIFT_ALLOWED": False}))
    result = locked.test_cli_runner().invoke(args=["clock", "set", "--advance", "1d", "--reason", "演练"])
    assert result.exit_code == 1 and "生产环境不允许调整应用时钟" in result.output
    with locked.app_context():
        assert db.session.get(ClockSetting, 1) is None
    # A row left over from a drill is ignored where shifting is not allowed.
    assert app.test_cli_runner().invoke(args=["clock", "set", "--advance", "1d", "--reason", "演练"]).exit_code == 0
    with locked.app_context():
        assert abs(clock.now() - clock.now().__class__.utcnow()) < timedelta(minutes=5)
    check = "import config; print(config.ProductionConfig.CLOCK_SHIFT_ALLOWED)"
    env = {k: v for k, v in os.environ.items() if k != "CLOCK_DRILL"}
    assert subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True,
                          text=True).stdout.strip() == "False"
    assert subprocess.run([sys.executable, "-c", check], cwd=ROOT, env={**env, "CLOCK_DRILL": "1"},
                          capture_output=True, text=True).stdout.strip() == "True"


def test_a_running_timer_worker_follows_the_shift_without_a_restart(pg_app):
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"]
    with pg_app.app_context():
        timer = timers.schedule("test.sleep", clock.now() + timedelta(days=2), seconds=0)
        db.session.commit()
        timer_id = timer.id
    env = {**os.environ, "WORKER_TEST_DATABASE_URL": url, "WORKER_IDLE_SECONDS": "0.2"}
    worker = subprocess.Popen([FLASK, "--app", "tests.services.worker_app:make", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(1.5)  # a few loops: nothing is due in real time
        with pg_app.app_context():
            assert db.session.get(Timer, timer_id).status == "pending"
        result = pg_app.test_cli_runner().invoke(args=["clock", "set", "--advance", "3d", "--reason", "演练"])
        assert result.exit_code == 0, result.output
        def fired() -> bool:
            with pg_app.app_context():
                return db.session.get(Timer, timer_id).status == "fired"

        wait_for(fired, "the worker saw the shifted clock", polls=300, interval=0.2)
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.communicate(timeout=30)
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "test.sleep")) == 1
