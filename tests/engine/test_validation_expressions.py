"""Timer expressions, loop cardinalities and DMN cells are hostile input too: refused at validation
(static check) and, if they reach the engine anyway, stopped by the sandbox at run time."""
import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.util.task import TaskState

from engine.sandbox import MAX_INSTANCES
from services.workflow import validation
from tests.engine.test_sandbox import DMN, chain, workflow

ESCAPES = ["().__class__.__base__.__subclasses__()", "__import__('os').getcwd()", "getattr(1, '__globals__')",
           "'{0.__class__}'.format(1)", "(x for x in [1]).gi_frame.f_back", "open('/etc/passwd').read()"]


def timer(expression: str):
    return ("timer", '<bpmn:intermediateCatchEvent id="timer"><bpmn:timerEventDefinition>'
            f'<bpmn:timeDuration>{expression}</bpmn:timeDuration></bpmn:timerEventDefinition>'
            '</bpmn:intermediateCatchEvent>\n')


def cardinality(expression: str):
    return ("each", '<bpmn:userTask id="each"><bpmn:multiInstanceLoopCharacteristics>'
            f'<bpmn:loopCardinality>{expression}</bpmn:loopCardinality>'
            '</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>\n')


def hostile_dmn(cell: str, where: str) -> str:
    if where == "output":
        return DMN.replace('<text>"high"</text>', f"<text>{cell}</text>")
    return DMN.replace("<text>&gt; 2</text>", f"<text>{cell}</text>")


@pytest.mark.parametrize("escape", ESCAPES)
@pytest.mark.parametrize("position", ["timer", "cardinality"])
def test_hostile_expression_is_stopped_at_run_time(escape, position):
    element = timer(escape) if position == "timer" else cardinality(escape)
    wf = workflow(chain(element), {})
    with pytest.raises(WorkflowTaskException):
        wf.do_engine_steps()
    assert not wf.is_completed()


@pytest.mark.parametrize("escape", ESCAPES)
@pytest.mark.parametrize("where", ["input", "output"])
def test_hostile_dmn_cell_is_stopped_at_run_time_and_refused_by_validation(escape, where):
    rule = ("rule", '<bpmn:businessRuleTask id="rule"><bpmn:extensionElements>'
            '<spiffworkflow:calledDecisionId>risk</spiffworkflow:calledDecisionId>'
            '</bpmn:extensionElements></bpmn:businessRuleTask>\n')
    dmn = hostile_dmn(escape, where)
    wf = workflow(chain(rule), {"problems": 3, "kind": "food"}, dmn=dmn)
    with pytest.raises(WorkflowTaskException):
        wf.do_engine_steps()
    report = validation.validate_dmn(dmn)
    assert not report.ok and report.errors[0].element_id == ("e11" if where == "input" else "o1")


def test_valid_dmn_cells_pass_validation():
    assert validation.validate_dmn(DMN).ok


def test_huge_loop_cardinality_is_refused_before_any_instance_is_built():
    wf = workflow(chain(cardinality("10 ** 9")), {})
    with pytest.raises(WorkflowTaskException, match="exceeds the limit"):
        wf.do_engine_steps()
    assert len(wf.get_tasks(spec_name="each")) <= 1
    ok = workflow(chain(cardinality(str(MAX_INSTANCES // 100))), {})
    ok.do_engine_steps()
    assert len(ok.get_tasks(state=TaskState.READY, manual=True)) == MAX_INSTANCES // 100


@pytest.mark.parametrize("expression, expected", [
    ("len(items)", True), ("3", True), (str(MAX_INSTANCES), True), (str(MAX_INSTANCES + 1), False), ("0", False),
    ("().__class__", False), ("__import__('os')", False)])
def test_cardinality_validation(app, expression, expected):
    bad = (validation.WORKFLOW_DIR.parent / "tests/fixtures/bpmn/bad/missing_lane.bpmn").read_text(encoding="utf-8")
    xml = bad.replace("<bpmn:flowNodeRef>start</bpmn:flowNodeRef>",
                      "<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>review</bpmn:flowNodeRef>").replace(
        "    </bpmn:userTask>", f"      <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>{expression}"
                                 "</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>\n    </bpmn:userTask>")
    with app.app_context():
        report = validation.validate(xml)
    assert report.ok is expected, report.as_dict()


def test_working_day_timer_waits_until_the_end_of_the_nth_working_day():
    from datetime import datetime

    from services.workflow.script_functions import workdays
    element = ("timer", '<bpmn:intermediateCatchEvent id="timer"><bpmn:timerEventDefinition>'
               '<bpmn:timeDate>workdays(3)</bpmn:timeDate></bpmn:timerEventDefinition>'
               '</bpmn:intermediateCatchEvent>\n')
    wf = workflow(chain(element), {})
    wf.do_engine_steps()
    task = wf.get_tasks(spec_name="timer")[0]
    assert task.state == TaskState.WAITING
    due = datetime.fromisoformat(task._get_internal_data("event_value"))
    assert due == datetime.fromisoformat(workdays(3)) and due.hour == 23 and due.utcoffset().total_seconds() == 8 * 3600
    with pytest.raises(ValueError):
        workdays(10 ** 6)


@pytest.mark.parametrize("kind, expression, ok", [
    ("timeDate", "workdays(5)", True), ("timeDuration", "workdays(5)", False), ("timeDate", "workdays(999)", False)])
def test_working_day_timer_validation(app, kind, expression, ok):
    xml = (validation.WORKFLOW_DIR.parent / "tests/fixtures/bpmn/bad/bad_timer.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:timeDuration>"P5 days"</bpmn:timeDuration>', f"<bpmn:{kind}>{expression}</bpmn:{kind}>")
    with app.app_context():
        report = validation.validate(xml)
    assert report.ok is ok and (not report.warnings), report.as_dict()
