"""Workflow state to JSON, without the spec.

SpiffWorkflow embeds the whole process spec in every serialized instance. A deployed
definition never changes, so the runtime keeps its parsed spec once (in memory, keyed by
the definition) and each instance row stores only its task tree and data: smaller rows
and saves whose cost does not include re-serializing the model.
"""
import json
from contextvars import ContextVar
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.parser import ParsedProcess

_specs_for_load: ContextVar[ParsedProcess] = ContextVar("_specs_for_load")


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        parsed = _specs_for_load.get()
        workflow = self.target_class(parsed.spec, parsed.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecFreeWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_serializer = _make_serializer()


def dump_state(workflow: BpmnWorkflow) -> str:
    dct = _serializer.to_dict(workflow)
    dct[_serializer.VERSION_KEY] = _serializer.VERSION
    return json.dumps(dct, separators=(",", ":"), ensure_ascii=False)


def load_state(state: str, parsed: ParsedProcess) -> BpmnWorkflow:
    dct = json.loads(state)
    _serializer.migrate(dct)
    token = _specs_for_load.set(parsed)
    try:
        return _serializer.from_dict(dct)
    finally:
        _specs_for_load.reset(token)


def dump_data(data: dict) -> str:
    """One task's data as the serializer would store it (for size checks)."""
    return json.dumps(_serializer.registry.convert(data), separators=(",", ":"), ensure_ascii=False, default=str)
