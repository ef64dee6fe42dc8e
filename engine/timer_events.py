"""BPMN timer events that read the application's clock instead of the machine's.

SpiffWorkflow 3.2 computes and checks timer due times with `datetime.now(timezone.utc)`
inside its event definitions, so a test or a `timers run --until` that moves the app
clock would not move BPMN timers. The parser below builds these subclasses instead; they
take "now" from `use_clock()` (the services install the app clock) and otherwise keep the
library's behaviour, with two deliberate differences:
- a timer is due when its time has come (`<=`), not strictly after it, so a worker firing
  exactly at the stored due time does not find it still waiting;
- a timeDate without an offset is read as Beijing time (UTC+8), not the server's zone.
Specs are never serialized (engine.serializer keeps them out of instance state), so the
subclasses need no serializer converters; instance state holds only the computed due time.
"""
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition, DurationTimerEventDefinition, TimeDateEventDefinition, TimerEventDefinition)
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser, SpiffIntermediateCatchEventParser, SpiffStartEventParser)
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

BEIJING = timezone(timedelta(hours=8))
_now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # noqa: E731 - replaced by use_clock


def use_clock(now: Callable[[], datetime]) -> Callable[[], datetime]:
    """Make timer events read `now()` (an aware UTC datetime) as the current time; returns the previous clock."""
    global _now
    previous, _now = _now, now
    return previous


def _parse_datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(timezone.utc)


class ClockedTimeDate(TimeDateEventDefinition):
    def has_fired(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            my_task._set_internal_data(event_value=my_task.workflow.script_engine.evaluate(my_task, self.expression))
        if self.due_at(my_task) <= _now():
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)

    def due_at(self, my_task) -> datetime | None:
        value = my_task._get_internal_data("event_value")
        if value is None:
            return None
        return value.astimezone(timezone.utc) if isinstance(value, datetime) else _parse_datetime(str(value))


class ClockedDuration(DurationTimerEventDefinition):
    def has_fired(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            start = _now()
            delta = TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(expression),
                                                                 start)
            my_task._set_internal_data(event_value=(start + delta).isoformat())
        if self.due_at(my_task) <= _now():
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)

    def due_at(self, my_task) -> datetime | None:
        value = my_task._get_internal_data("event_value")
        return _parse_datetime(value) if value else None


class ClockedCycle(CycleTimerEventDefinition):
    def cycle_complete(self, my_task):
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(expression)
            if len(expression.strip("Rr").split("/")) == 2 and expression.split("/")[1].upper().startswith("P"):
                start = _now() + duration  # "R3/PT1H": the library starts it from the machine's time
            event_value = {"cycles": cycles, "next": start.isoformat(), "duration": duration.total_seconds()}
        ready = False
        if event_value["cycles"] != 0:
            next_event = datetime.fromisoformat(event_value["next"])
            if next_event <= _now():
                event_value["next"] = (next_event + timedelta(seconds=event_value["duration"])).isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=event_value)
        return ready

    def due_at(self, my_task) -> datetime | None:
        value = my_task._get_internal_data("event_value")
        if not value or value["cycles"] == 0:
            return None
        return datetime.fromisoformat(value["next"]).astimezone(timezone.utc)


_CLOCKED = {TimeDateEventDefinition: ClockedTimeDate, DurationTimerEventDefinition: ClockedDuration,
            CycleTimerEventDefinition: ClockedCycle}


class _ClockedTimerParsing:
    def parse_timer_event(self, event):
        parsed = super().parse_timer_event(event)
        return _CLOCKED[type(parsed)](parsed.name, parsed.expression, description=parsed.description)


class _StartEventParser(_ClockedTimerParsing, SpiffStartEventParser):
    pass


class _IntermediateCatchEventParser(_ClockedTimerParsing, SpiffIntermediateCatchEventParser):
    pass


class _BoundaryEventParser(_ClockedTimerParsing, SpiffBoundaryEventParser):
    pass


class ClockedBpmnParser(SpiffBpmnParser):
    """SpiffBpmnParser whose timer events use the application clock."""
    OVERRIDE_PARSER_CLASSES = {**SpiffBpmnParser.OVERRIDE_PARSER_CLASSES, **{
        full_tag(tag): (parser, SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag(tag)][1])
        for tag, parser in (("startEvent", _StartEventParser), ("boundaryEvent", _BoundaryEventParser),
                            ("intermediateCatchEvent", _IntermediateCatchEventParser))}}


def next_due(workflow) -> datetime | None:
    """The earliest due time (naive UTC) of the timer events this workflow waits on, if any."""
    dues = []
    for task in list(workflow.event_manager.tasks.values()):
        definition = getattr(task.task_spec, "event_definition", None)
        due = definition.due_at(task) if hasattr(definition, "due_at") else None
        if due is not None:
            dues.append(due.astimezone(timezone.utc).replace(tzinfo=None))
    return min(dues) if dues else None
