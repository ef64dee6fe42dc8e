"""BPMN timer events run on Timer rows and the app clock: boundary (interrupting and not) and intermediate catch."""
from datetime import timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from engine import timer_events
from extensions import db
from models import HumanTask, Timer, WorkflowInstance
from services.workflow import bpmn_timers
from services.workflow import clock
from services.workflow import deployments
from services.workflow import runtime
from services.workflow import timers

BPMN = (Path(__file__).parent / "data" / "timer_demo.bpmn").read_text(encoding="utf-8")


def _start() -> int:
    deployments.deploy(BPMN, "timer_demo.bpmn", None)
    instance = runtime.start_instance("timer_demo", {})
    db.session.commit()
    return instance.id


def _event_timers(instance_id: int) -> list[tuple[str, object]]:
    return [(t.status, t.due_at) for t in db.session.scalars(select(Timer).where(
        Timer.instance_id == instance_id, Timer.kind == bpmn_timers.KIND).order_by(Timer.id))]


def _tasks(instance_id: int) -> dict[str, str]:
    return {t.element_id: t.status for t in db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance_id))}


def _run(app, until) -> str:
    result = app.test_cli_runner().invoke(args=["timers", "run", "--until", until.isoformat() + "+00:00"])
    assert result.exit_code == 0, result.output
    return result.output


def test_boundary_and_intermediate_timers_fire_through_timers_run(app):
    with app.app_context():
        start = clock.now()
        instance_id = _start()
        [(status, due)] = _event_timers(instance_id)
        assert status == "pending" and timedelta(hours=2) <= due - start <= timedelta(hours=2, seconds=30)  # slack for a loaded machine

    # The non-interrupting reminder fires once; the task stays open; the next timer is the 1-day expiry.
    assert "fired 1 timer" in _run(app, start + timedelta(hours=3))
    with app.app_context():
        workflow = runtime.load(db.session.get(WorkflowInstance, instance_id))
        assert any(t.data.get("reminded") for t in workflow.get_tasks())
        assert _tasks(instance_id) == {"review_wait": "open"}
        assert [s for s, _ in _event_timers(instance_id)] == ["fired", "pending"]
        assert abs(_event_timers(instance_id)[1][1] - (start + timedelta(days=1))) <= timedelta(seconds=30)
        assert clock.now() >= start + timedelta(hours=3)

    # The interrupting expiry cancels the task; the cool-off timer starts from the *app* time of
    # the expiry (not the machine's), so it is due within the same run.
    assert "fired 2 timer" in _run(app, start + timedelta(days=1, hours=2))
    with app.app_context():
        assert _tasks(instance_id) == {"review_wait": "cancelled", "after_expiry": "open"}
        after = db.session.scalars(select(HumanTask).where(HumanTask.element_id == "after_expiry")).one()
        assert abs(after.created_at - (start + timedelta(days=1, hours=1))) <= timedelta(seconds=2)
        assert [s for s, _ in _event_timers(instance_id)] == ["fired", "fired", "fired"]
        assert _run(app, start + timedelta(days=30)).startswith("fired 0")


def test_completing_the_task_cancels_its_event_timer(app):
    with app.app_context():
        instance_id = _start()
        task = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).one()
        task.status = "completed"
        runtime.complete(task, {})
        db.session.commit()
        assert [s for s, _ in _event_timers(instance_id)] == ["cancelled"]
        assert db.session.get(WorkflowInstance, instance_id).status == "completed"


def test_a_timer_the_engine_does_not_take_fails_instead_of_looping(app):
    with app.app_context():
        start = clock.now()
        instance_id = _start()
        previous = timer_events.use_clock(lambda: start.replace(tzinfo=timezone.utc))  # an engine stuck in the past
        try:
            assert timers.run_until(start + timedelta(hours=3)) == 1
        finally:
            timer_events.use_clock(previous)
        [timer] = db.session.scalars(select(Timer).where(Timer.instance_id == instance_id)).all()
        assert timer.status == "failed" and "did not fire" in timer.error
        assert _tasks(instance_id) == {"review_wait": "open"}

