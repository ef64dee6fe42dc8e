"""grade.dmn: every rule row, through SpiffWorkflow's DMN engine and the sandboxed script engine."""
import pytest

from domain.grading import grade_inputs
from engine import decision as dmn
from engine.parser import ModelError, is_dmn, parse_decision
from engine.sandbox import SandboxedScriptEngine
from services.workflow.deployments import WORKFLOW_DIR

GRADE_DMN = (WORKFLOW_DIR / "grade.dmn").read_text(encoding="utf-8")


def _inputs(problems=0, severity="none", refusal=False, unreachable=False, listed=False, first=False):
    return {"problems": problems, "severity": severity, "refusal": refusal, "unreachable": unreachable,
            "leniency_listed": listed, "first_violation": first}


@pytest.mark.parametrize("inputs, row, grade, handling", [
    (_inputs(5, "serious", refusal=True, unreachable=True), 1, "D", "case"),   # refusal wins over everything
    (_inputs(0, "minor", unreachable=True), 2, "C", "case"),
    (_inputs(3, "serious"), 3, "D", "case"),
    (_inputs(2, "serious"), 4, "C", "case"),
    (_inputs(1, "corrected", listed=True, first=True), 5, "B", "minor_free"),   # 轻微免罚: listed, first time
    (_inputs(4, "corrected"), 6, "B", "none"),
    (_inputs(1, "corrected", listed=True), 6, "B", "none"),                     # listed, but not the first time
    (_inputs(3, "minor", listed=True, first=True), 7, "C", "rectify"),          # three problems: not minor
    (_inputs(1, "minor", listed=True, first=True), 8, "B", "first_free"),       # 首违不罚
    (_inputs(1, "minor", listed=True), 9, "B", "rectify"),
    (_inputs(1, "minor"), 9, "B", "rectify"),
    (_inputs(0, "none"), 10, "A", "none"),
])
def test_each_rule_row(inputs, row, grade, handling):
    decision, engine = parse_decision(GRADE_DMN), SandboxedScriptEngine()
    assert dmn.matched_row(decision, inputs, engine) == row
    assert dmn.evaluate(decision, inputs, engine) == {"grade": grade, "handling": handling}


def test_inputs_from_inspection_results():
    assert grade_inputs("01", None, 0) == _inputs()
    assert grade_inputs("02", "04", 2) == _inputs(2, "minor")
    assert grade_inputs("02", "05", 1) == _inputs(1, "serious")
    assert grade_inputs("02", "03", 0) == _inputs(0, "minor", unreachable=True)
    assert grade_inputs("03", "04", 1) == _inputs(1, "corrected")
    assert grade_inputs("06", None, 0) == _inputs(0, "minor", refusal=True)
    assert grade_inputs("02", "04", 1, leniency_listed=True, first_violation=True) == \
        _inputs(1, "minor", listed=True, first=True)


def test_dmn_cells_run_in_the_sandbox():
    hostile = GRADE_DMN.replace('<text>"A"</text>', "<text>().__class__.__base__.__subclasses__()</text>")
    decision = parse_decision(hostile)
    with pytest.raises(dmn.DecisionError) as err:
        dmn.evaluate(decision, _inputs(), SandboxedScriptEngine())
    assert type(err.value.__cause__).__name__ == "ScriptRejected"


def test_dmn_detection_and_bad_tables():
    assert is_dmn(GRADE_DMN)
    assert not is_dmn((WORKFLOW_DIR / "enterprise_case.bpmn").read_text(encoding="utf-8"))
    with pytest.raises(ModelError):
        parse_decision(GRADE_DMN.replace('hitPolicy="FIRST"', 'hitPolicy="NOT-A-POLICY"'))
