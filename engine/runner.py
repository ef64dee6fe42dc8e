"""Run workflows: start, advance, list human tasks, complete, deliver messages.

Pure engine code: it takes parsed specs and state in and gives workflows and plain
values out. Persistence and authorization belong to the services.
"""
import copy
from dataclasses import dataclass
from uuid import UUID

from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.parser import ParsedProcess


class TaskNotReady(Exception):
    """The task is not waiting for a person any more (completed, cancelled or unknown)."""


@dataclass(frozen=True)
class ReadyTask:
    task_id: str
    element_id: str
    title: str
    lane: str | None
    properties: dict
    data: dict


def new_workflow(parsed: ParsedProcess, script_engine, data: dict) -> BpmnWorkflow:
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=script_engine)
    workflow.data.update(copy.deepcopy(data))
    # The start event copies workflow data into the first task.
    start = workflow.get_tasks(state=TaskState.READY)[0]
    start.data.update(copy.deepcopy(data))
    return workflow


def advance(workflow: BpmnWorkflow) -> None:
    workflow.refresh_timers()
    workflow.do_engine_steps()


def ready_user_task_ids(workflow: BpmnWorkflow) -> frozenset[str]:
    """The ids of `ready_user_tasks`, without describing each (nor deep-copying its data)."""
    return frozenset(str(task.id) for task in _ready_in_tables(workflow))


def _ready_in_tables(workflow: BpmnWorkflow):
    """The tasks waiting for a person, read from the task tables (the workflow's and each subprocess's), in no
    particular order, not by walking the task tree: the walk visits every task through an iterator that hashes
    its UUID on the way, ~10 times the cost, and a completion asks twice (before and after its step). The same
    tasks: a READY task is in its workflow's table, and a subprocess the walk would not enter (its task finished)
    holds no READY task, as its cancellation or end finishes its tasks too."""
    return (task for each in (workflow, *workflow.subprocesses.values()) for task in each.tasks.values()
            if task.state == TaskState.READY and task.task_spec.manual)


def ready_user_tasks(workflow: BpmnWorkflow, only: frozenset[str] | None = None) -> list[ReadyTask]:
    """Each task waiting for a person, in the task tree's order; with `only`, those of these ids (one of them is
    found in the task tables: a single task has no order to keep, and a completion usually readies one)."""
    if only is not None and len(only) == 1:
        found = [task for task in _ready_in_tables(workflow) if str(task.id) in only]
    else:
        found = [task for task in workflow.get_tasks(state=TaskState.READY, manual=True)
                 if only is None or str(task.id) in only]
    return [_described(task) for task in found]


def _described(task) -> ReadyTask:
    spec = task.task_spec
    extensions = getattr(spec, "extensions", {}) or {}
    return ReadyTask(task_id=str(task.id), element_id=spec.bpmn_id or spec.name, title=spec.bpmn_name or spec.name,
                     lane=spec.lane, properties=dict(extensions.get("properties", {})), data=copy.deepcopy(task.data))


def active_stage_properties(workflow: BpmnWorkflow) -> list[str]:
    """The `stage` property of every element a person or an event is waiting on."""
    stages = []
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        extensions = getattr(task.task_spec, "extensions", {}) or {}
        stage = extensions.get("properties", {}).get("stage")
        if stage and stage not in stages:
            stages.append(stage)
    return stages


def complete_task(workflow: BpmnWorkflow, task_id: str, data: dict) -> None:
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except Exception as exc:  # SpiffWorkflow raises its own TaskNotFound types
        raise TaskNotReady(task_id) from exc
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(task_id)
    # Deep copy: SpiffWorkflow 3.2 merges task data shallowly, so a nested value shared
    # with the caller (or a later task) would rewrite what this task recorded.
    task.data.update(copy.deepcopy(data))
    task.run()
    advance(workflow)


def send_message(workflow: BpmnWorkflow, name: str, payload) -> None:
    # Class identity matters: SpiffWorkflow compares event definitions with `is` on the class.
    event = BpmnEvent(MessageEventDefinition(name), copy.deepcopy(payload))
    try:
        workflow.send_event(event)
    except WorkflowException as exc:
        raise TaskNotReady(f"not waiting for message {name}") from exc
    advance(workflow)


def is_completed(workflow: BpmnWorkflow) -> bool:
    return workflow.completed


def element_states(workflow: BpmnWorkflow) -> dict[str, str]:
    """BPMN element id -> 'completed' or 'active', for highlighting a diagram."""
    states: dict[str, str] = {}
    for task in workflow.get_tasks():
        element_id = getattr(task.task_spec, "bpmn_id", None)
        if not element_id:
            continue
        if task.state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            states[element_id] = "active"
        elif task.state == TaskState.COMPLETED and states.get(element_id) != "active":
            states[element_id] = "completed"
    return states
