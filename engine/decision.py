"""Evaluate a parsed DMN decision table with SpiffWorkflow's DMN engine outside a running workflow.

The cells are Python expressions evaluated by the sandboxed script engine it is handed, so a
decision table uploaded by a designer is held to the same rules as a BPMN script.
"""
from types import SimpleNamespace

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.parser import ParsedDecision


class DecisionError(SpiffWorkflowException):
    """A DMN cell that failed or was refused by the sandbox (a SpiffWorkflowException, so the DMN
    engine adds the row number as a note instead of wrapping it in a task exception)."""


class _Cells:
    """What DMNEngine needs of a script engine, with errors that do not require a workflow task."""

    def __init__(self, script_engine):
        self.script_engine = script_engine

    def validate(self, text: str) -> None:
        self.script_engine.validate(text)

    def evaluate(self, task, expression: str, external_context: dict | None = None):
        try:
            return self.script_engine.environment.evaluate(expression, task.data, external_context)
        except Exception as exc:
            raise DecisionError(f"DMN cell {expression!r} failed: {type(exc).__name__}: {exc}") from exc


def _task(inputs: dict, script_engine) -> SimpleNamespace:
    # The DMN engine reads only task.data and task.workflow.script_engine; a stand-in avoids a workflow.
    return SimpleNamespace(data=dict(inputs), workflow=SimpleNamespace(script_engine=_Cells(script_engine)))


def evaluate(decision: ParsedDecision, inputs: dict, script_engine) -> dict:
    """The outputs of the first matching row (hit policy FIRST or UNIQUE); {} if none matches."""
    return dict(DMNEngine(decision.table).result(_task(inputs, script_engine)))


def matched_row(decision: ParsedDecision, inputs: dict, script_engine) -> int | None:
    rules = DMNEngine(decision.table).decide(_task(inputs, script_engine))
    return rules[0].row_number if rules else None
