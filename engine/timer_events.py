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

Every value a timer expression yields is held to TimerRules (the script engine carries them,
the services fill them from settings) before it is used: a cycle of R/PT0S would otherwise fire
without end, P99999999D or year 1 would end in OverflowError. check_timer() is the same rule
for deploy-time validation and run time; at run time a breach raises TimerOutOfRange, a task
exception naming the element, which the services turn into a domain error.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

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


@dataclass(frozen=True)
class TimerRules:
    min_interval: timedelta = timedelta(minutes=1)    # between two firings of a cycle
    max_repeats: int = 1000                           # R<n>: n at most this; 'R/' (unbounded) never
    min_duration: timedelta = timedelta(minutes=1)
    max_duration: timedelta = timedelta(days=3653)    # ten years, leap days included (P10Y)
    earliest_year: int = 2000
    latest_year: int = 2100


@dataclass(frozen=True)
class TimerProblem:
    reason: str          # 'unparsable', 'unbounded', 'repeats', 'interval', 'duration', 'date'
    value: str
    detail: str = ""


class TimerOutOfRange(WorkflowTaskException):
    def __init__(self, problem: TimerProblem, task) -> None:
        super().__init__(f"timer value {problem.value!r} refused: {problem.reason} {problem.detail}".strip(), task=task)
        self.problem = problem


def _rules(my_task) -> TimerRules:
    return getattr(my_task.workflow.script_engine, "timer_rules", None) or TimerRules()


def _date_problem(moment: datetime, rules: TimerRules, value: str) -> TimerProblem | None:
    if not rules.earliest_year <= moment.astimezone(BEIJING).year <= rules.latest_year:
        return TimerProblem("date", value, str(moment.year))
    return None


def _duration_problem(delta: timedelta, rules: TimerRules, value: str, reason: str = "duration") -> TimerProblem | None:
    low = rules.min_interval if reason == "interval" else rules.min_duration
    if not low <= delta <= rules.max_duration:
        return TimerProblem(reason, value, str(delta))
    return None


def check_timer(kind: str, value, rules: TimerRules, now: datetime) -> TimerProblem | None:
    """None if a timeDate/timeDuration/timeCycle value is within the rules, else what is wrong."""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    try:
        if kind == "timeDate":
            try:
                moment = value if isinstance(value, datetime) else _parse_datetime(text)
            except OverflowError:  # year 1 in Beijing time is before datetime.min in UTC
                return TimerProblem("date", text)
            return _date_problem(moment, rules, text)
        if kind == "timeDuration":
            parsed = TimerEventDefinition.parse_iso_duration(text)
            try:
                delta = TimerEventDefinition.get_timedelta_from_start(parsed, now)
            except (OverflowError, ValueError):
                return TimerProblem("duration", text)
            return _duration_problem(delta, rules, text)
        if kind == "timeCycle":
            cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(text)
            if cycles < 0:
                return TimerProblem("unbounded", text)
            if cycles > rules.max_repeats:
                return TimerProblem("repeats", text, str(cycles))
            return _duration_problem(duration, rules, text, "interval") or _date_problem(start, rules, text)
    except Exception as exc:  # noqa: BLE001 - SpiffWorkflow raises bare Exception('Invalid duration')
        return TimerProblem("unparsable", text, str(exc))
    raise ValueError(f"unknown timer kind {kind!r}")


def _checked(my_task, kind: str, value) -> None:
    problem = check_timer(kind, value, _rules(my_task), _now())
    if problem is not None:
        raise TimerOutOfRange(problem, my_task)


def _parse_datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(timezone.utc)


class ClockedTimeDate(TimeDateEventDefinition):
    def has_fired(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            _checked(my_task, "timeDate", value)
            my_task._set_internal_data(event_value=value)
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
            _checked(my_task, "timeDuration", expression)
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
            _checked(my_task, "timeCycle", expression)
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
