"""BPMN timer events (boundary and intermediate catch) driven by Timer rows.

SpiffWorkflow fires nothing by itself: a waiting timer event only moves when someone
refreshes the workflow. So every save of an instance keeps exactly one pending
"bpmn.timer" row per instance, due when its earliest waiting timer event is due; the
worker fires it, and the handler loads the instance, lets the engine see the (app) clock,
runs what became ready and saves, which schedules the next one.

Due times come from engine.timer_events, whose event definitions read the app clock
(installed below), so `timers run --until` and tests that move the clock move BPMN timers.
"""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from engine import timer_events
from extensions import db
from models import Timer, WorkflowInstance
from services.workflow import clock
from services.workflow import escalations
from services.workflow import timers
from services.errors import Conflict

KIND = "bpmn.timer"

timer_events.use_clock(lambda: clock.now().replace(tzinfo=timezone.utc))


def after_save(instance: WorkflowInstance, workflow) -> None:
    """Keep the instance's timer rows in step with it: BPMN timer events, then SLA escalations."""
    _sync_event_timer(instance, workflow)
    escalations.sync_instance(instance)


def _sync_event_timer(instance: WorkflowInstance, workflow) -> None:
    due = None if instance.status != "running" else timer_events.next_due(workflow)
    pending = db.session.scalars(select(Timer.id).where(
        Timer.instance_id == instance.id, Timer.kind == KIND, Timer.status == "pending").order_by(Timer.id)).all()
    if due is None:
        timers.cancel_ids(pending)
        return
    due = _ceil_to_second(due)  # never earlier than the engine's due time, whatever the column keeps
    timers.cancel_ids(pending[1:])
    # Conditional, like the cancels: a worker may be firing that row right now.
    moved = pending and db.session.execute(update(Timer).where(Timer.id == pending[0], Timer.status == "pending")
                                           .values(due_at=due)).rowcount
    if not moved:
        timers.schedule(KIND, due, instance_id=instance.id, campaign_id=instance.campaign_id)


def _ceil_to_second(moment: datetime) -> datetime:
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


@timers.on_timer(KIND)
def _fire_event_timer(timer: Timer) -> None:
    from services.workflow import runtime  # runtime imports this module for its save hook

    instance = db.session.get(WorkflowInstance, timer.instance_id)
    if instance is None or instance.status != "running":
        return
    timer.status = "fired"  # so the save below schedules the instance's next timer as a new row
    workflow = runtime.load(instance)
    due = timer_events.next_due(workflow)
    runtime.advance(workflow)  # a script or timer over its limits ends as a DomainError on the timer row
    if due is not None and due <= clock.now() and timer_events.next_due(workflow) == due:
        # The engine took nothing although its timer is due: rescheduling would fire this again forever.
        raise RuntimeError(f"BPMN timer due {due} did not fire at {clock.now()}")
    try:
        runtime.save(instance, workflow)
    except Conflict as exc:  # someone saved the instance meanwhile: refresh again from their state
        raise timers.Retry(str(exc)) from exc


def backfill() -> int:
    """Give every running instance its timer rows (after upgrading a database that had none); commits."""
    from services.workflow import runtime  # see _fire_event_timer

    count = 0
    for instance in db.session.scalars(select(WorkflowInstance).where(WorkflowInstance.status == "running")):
        after_save(instance, runtime.load(instance))
        count += 1
    db.session.commit()
    return count
