"""Firing BPMN timer events: load the instance, let the engine see the clock, save.

Apart from services.workflow.bpmn_timers (which keeps the timer rows in step on every save and
so is imported by the runtime) because firing needs the runtime itself: one direction, no circle.
"""
from sqlalchemy import select

from engine import timer_events
from extensions import db
from models import Timer, WorkflowInstance
from services.errors import Conflict
from services.workflow import bpmn_timers, clock, runtime, timers

KIND = bpmn_timers.KIND


def fire_event_timer(timer: Timer) -> None:
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
    count = 0
    for instance in db.session.scalars(select(WorkflowInstance).where(WorkflowInstance.status == "running")):
        bpmn_timers.after_save(instance, runtime.load(instance))
        count += 1
    db.session.commit()
    return count
