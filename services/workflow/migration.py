"""Move running instances of an older version onto the newest one, where SpiffWorkflow's diff says it is safe."""
from dataclasses import dataclass

from sqlalchemy import select

from SpiffWorkflow.exceptions import WorkflowException

from engine import runner, versioning
from extensions import db
from models import HumanTask, ProcessDefinition, TaskCandidate, User, WorkflowInstance
from services import audit
from services.workflow import assignment
from services.workflow import calendar
from services.workflow import deployments
from services.workflow import escalations
from services.workflow import runtime
from services.workflow import timers
from services.designer.processes import require_designer, require_reader
from services.errors import Conflict, DomainError
from services.lookup import get_or_404


@dataclass(frozen=True)
class MigrationCheck:
    instance: WorkflowInstance
    target: ProcessDefinition
    problems: list[str]

    @property
    def safe(self) -> bool:
        return not self.problems


def get_instance(viewer: User | None, instance_id: int) -> WorkflowInstance:
    """A process instance, for the designer checking whether it can move to the newest version."""
    require_reader(viewer)
    return get_or_404(WorkflowInstance, instance_id, "流程实例不存在")


def check(instance: WorkflowInstance) -> MigrationCheck:
    target = deployments.latest(instance.definition.process_id, instance.definition.region_id)  # same line
    if instance.status != "running":
        return MigrationCheck(instance, target, ["流程实例已结束"])
    if instance.definition_id == target.id:
        return MigrationCheck(instance, target, ["已在最新版本上"])
    workflow = runtime.load(instance)
    return MigrationCheck(instance, target, versioning.migration_problems(workflow, deployments.parsed(target)))


def running_instances(definition: ProcessDefinition) -> list[WorkflowInstance]:
    return list(db.session.scalars(select(WorkflowInstance).where(
        WorkflowInstance.definition_id == definition.id, WorkflowInstance.status == "running")
        .order_by(WorkflowInstance.id)))


def migrate_instance(actor: User | None, instance_id: int) -> MigrationCheck:
    """Migrate one instance; refused (and audited as refused) when a done task's element changed."""
    require_designer(actor)
    instance = get_instance(actor, instance_id)
    result = check(instance)
    source = instance.definition
    if not result.safe:
        audit.record(actor, "process.migrate_refused", "workflow_instance", instance.id,
                     campaign_id=instance.campaign_id, process_id=source.process_id,
                     from_version=source.version, to_version=result.target.version, reasons=result.problems)
        db.session.commit()
        raise Conflict("不能迁移到最新版本：" + "；".join(result.problems))
    workflow = runtime.load(instance)
    versioning.migrate(workflow, deployments.parsed(result.target))
    instance.definition = result.target
    try:
        runner.advance(workflow)  # reset ready/waiting tasks are predicted again from the new spec
    except WorkflowException as exc:
        db.session.rollback()
        raise DomainError(f"迁移后流程无法继续: {exc}") from exc
    runtime.save(instance, workflow)  # re-indexes human tasks: old ids cancelled, new ones opened
    refreshed = refresh_open_tasks(instance, workflow)
    audit.record(actor, "process.migrate", "workflow_instance", instance.id, campaign_id=instance.campaign_id,
                 process_id=source.process_id, from_version=source.version, to_version=result.target.version,
                 refreshed_tasks=refreshed)
    db.session.commit()
    return result


_REFRESHED = ("title", "form_key", "lane", "stage", "due_at")


def refresh_open_tasks(instance: WorkflowInstance, workflow) -> list[dict]:
    """Open tasks that kept their engine id keep their row: take title, form, lane, stage and due date
    from the new version's element. The due date counts the new slaDays from the task's creation, so a
    migration neither restarts nor silently keeps the old deadline. Returns what changed, for the audit."""
    ready = {t.task_id: t for t in runner.ready_user_tasks(workflow)}
    rows = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == "open")).all()
    changes = []
    for row in rows:
        task = ready.get(row.spiff_task_id)
        if task is None:
            continue
        sla = task.properties.get("slaDays")
        new = {"title": task.title, "form_key": task.properties.get("formKey", task.element_id), "lane": task.lane,
               "stage": task.properties.get("stage"),
               "due_at": calendar.working_deadline(row.created_at, int(sla)) if sla else None}
        changed = {key: [_plain(getattr(row, key)), _plain(new[key])] for key in _REFRESHED
                   if getattr(row, key) != new[key]}
        if not changed:
            continue
        if "lane" in changed:
            _reassign(instance, row, task)
        if "due_at" in changed:
            timers.cancel(kind=escalations.TASK_KIND, task_id=row.id)  # rescheduled below at the new due date
        for key in _REFRESHED:
            setattr(row, key, new[key])
        changes.append({"task_id": row.id, "element_id": row.element_id, **changed})
    if changes:
        db.session.flush()
        _reschedule_escalations(instance, [c["task_id"] for c in changes if "due_at" in c])
    return changes


def _reassign(instance: WorkflowInstance, row: HumanTask, task: runner.ReadyTask) -> None:
    target = assignment.resolve(instance, task)
    if (row.department_id, row.role) != (target.department_id, target.role):
        row.claimed_by_id = None  # the claimant may not belong to the new lane
    row.department_id, row.role = target.department_id, target.role
    row.candidates = [TaskCandidate(user_id=uid) for uid in target.user_ids]


def _reschedule_escalations(instance: WorkflowInstance, task_ids: list[int]) -> None:
    for row in db.session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids))):
        if row.due_at is not None:
            timers.schedule(escalations.TASK_KIND, row.due_at, task_id=row.id, campaign_id=row.campaign_id,
                            subject_type="human_task", subject_id=row.id)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
