"""Compare process versions and move running workflows to a newer spec (SpiffWorkflow's bpmn.util.diff).

A workflow may move when no task it has completed or started belongs to a changed or removed
element: what already happened must stay true under the new model. Ready and waiting tasks are
reset and predicted again from the new spec.
"""
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow, SpecDiff
from SpiffWorkflow.util.task import TaskState

from engine.parser import ParsedProcess
from engine.serializer import _serializer

_DONE = TaskState.COMPLETED | TaskState.STARTED | TaskState.ERROR | TaskState.CANCELLED
_ACTIVE = TaskState.READY | TaskState.WAITING


@dataclass
class SpecChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)


def _element(spec) -> str:
    return getattr(spec, "bpmn_id", None) or spec.name


def _visible(spec) -> bool:
    return bool(getattr(spec, "bpmn_id", None))  # skip the engine's own Start/End/...EndJoin specs


def spec_changes(old: ParsedProcess, new: ParsedProcess) -> SpecChanges:
    diff = SpecDiff(_serializer.registry, old.spec, new.spec)
    return SpecChanges(
        added=sorted(_element(s) for s in diff.added if _visible(s)),
        removed=sorted(_element(s) for s in diff.removed if _visible(s)),
        changed={_element(s): sorted(c) for s, c in diff.changed.items() if _visible(s)},
    )


def migration_problems(workflow, new: ParsedProcess) -> list[str]:
    """Why this workflow cannot move to `new` (empty: it can)."""
    top, sub_diffs = diff_workflow(_serializer.registry, workflow, new.spec, new.subprocess_specs)
    problems = []
    for diff in [top, *sub_diffs.values()]:
        if diff is None:
            problems.append("一个已启动的子流程在新版本中不存在")
            continue
        for task in diff.changed:
            if task.state & _DONE:
                problems.append(f"已办理或进行中的环节「{_element(task.task_spec)}」在新版本中被修改")
        for task in diff.removed:
            if task.state & (_DONE | _ACTIVE):
                problems.append(f"已办理或当前环节「{_element(task.task_spec)}」在新版本中被删除")
    return sorted(set(problems))


def migrate(workflow, new: ParsedProcess) -> None:
    """Move the workflow onto `new` in place; call only when migration_problems() is empty."""
    top, sub_diffs = diff_workflow(_serializer.registry, workflow, new.spec, new.subprocess_specs)
    migrate_workflow(top, workflow, new.spec)
    for sp_id, sp_diff in sub_diffs.items():
        sub = workflow.subprocesses[sp_id]
        migrate_workflow(sp_diff, sub, new.subprocess_specs[sub.spec.name])
    workflow.subprocess_specs = new.subprocess_specs
