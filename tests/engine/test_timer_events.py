"""Timer events read the clock they are given, fire when due (not a microsecond later), and survive a reload."""
from datetime import datetime, timedelta, timezone

import pytest

from engine import runner, timer_events
from engine.parser import parse_process
from engine.sandbox import SandboxedScriptEngine
from engine.serializer import dump_state, load_state

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://x">
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="pause"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:{kind}>{expression}</bpmn:{kind}></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="after"><bpmn:incoming>f2</bpmn:incoming></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause" />
    <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="after" />
  </bpmn:process>
</bpmn:definitions>"""
NOW = [datetime(2030, 1, 7, 1, 0, tzinfo=timezone.utc)]


@pytest.fixture(autouse=True)
def fake_clock():
    previous = timer_events.use_clock(lambda: NOW[0])
    yield
    NOW[0] = datetime(2030, 1, 7, 1, 0, tzinfo=timezone.utc)
    timer_events.use_clock(previous)  # the app clock, as services.workflow.bpmn_timers installed it


def _run(kind: str, expression: str):
    parsed = parse_process(PROCESS.format(kind=kind, expression=expression))
    workflow = runner.new_workflow(parsed, SandboxedScriptEngine(), {})
    runner.advance(workflow)
    return parsed, workflow


def _waiting(workflow) -> bool:
    return not runner.ready_user_tasks(workflow)


def test_duration_counts_from_the_given_clock_and_fires_exactly_at_due():
    parsed, workflow = _run("timeDuration", '"PT3H"')
    assert timer_events.next_due(workflow) == datetime(2030, 1, 7, 4, 0)
    workflow = load_state(dump_state(workflow), parsed)
    workflow.script_engine = SandboxedScriptEngine()
    NOW[0] += timedelta(hours=3) - timedelta(microseconds=1)
    runner.advance(workflow)
    assert _waiting(workflow)
    NOW[0] += timedelta(microseconds=1)
    runner.advance(workflow)
    assert not _waiting(workflow) and timer_events.next_due(workflow) is None


def test_time_date_without_offset_is_beijing_time():
    _, workflow = _run("timeDate", '"2030-01-07T12:00:00"')
    assert timer_events.next_due(workflow) == datetime(2030, 1, 7, 4, 0)  # 12:00 in Beijing is 04:00 UTC


def test_cycle_starts_from_the_given_clock():
    _, workflow = _run("timeCycle", '"R2/PT1H"')
    assert timer_events.next_due(workflow) == datetime(2030, 1, 7, 2, 0)
