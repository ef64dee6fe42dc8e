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
from services.workflow import clock, escalations, timers

KIND = "bpmn.timer"

timer_events.use_clock(lambda: clock.now().replace(tzinfo=timezone.utc))


def after_save(instance: WorkflowInstance, workflow, before=None, changed=((), ())) -> None:
    """Keep the instance's timer rows in step with it: BPMN timer events, then SLA escalations.

    With `before` (runtime.Before: what the engine held before a completion) and what the step `changed`
    (spiff ids of the tasks it cancelled, the rows it created), only that is written; without it the rows
    are read back and reconciled."""
    due = None if instance.status != "running" else timer_events.next_due(workflow)
    if before is None:
        _sync_event_timer(instance, due)
        escalations.sync_instance(instance)
        return
    if due != before.next_due:  # the pending row (if any) is due at before.next_due: nothing to move otherwise
        _sync_event_timer(instance, due)
    escalations.sync_step(instance, before.completed, *changed)


def _sync_event_timer(instance: WorkflowInstance, due: datetime | None) -> None:
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
