"""Move running instances of an older version onto the newest one, where SpiffWorkflow's diff says it is safe."""
from dataclasses import dataclass

from sqlalchemy import select

from SpiffWorkflow.exceptions import WorkflowException

from engine import runner, versioning
from extensions import db
from models import ProcessDefinition, User, WorkflowInstance
from services import audit, deployments, runtime
from services.designer import require_designer
from services.errors import Conflict, DomainError, NotFound


@dataclass(frozen=True)
class MigrationCheck:
    instance: WorkflowInstance
    target: ProcessDefinition
    problems: list[str]

    @property
    def safe(self) -> bool:
        return not self.problems


def get_instance(instance_id: int) -> WorkflowInstance:
    instance = db.session.get(WorkflowInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在")
    return instance


def check(instance: WorkflowInstance) -> MigrationCheck:
    target = deployments.latest(instance.definition.process_id)
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
    instance = get_instance(instance_id)
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
    audit.record(actor, "process.migrate", "workflow_instance", instance.id, campaign_id=instance.campaign_id,
                 process_id=source.process_id, from_version=source.version, to_version=result.target.version)
    db.session.commit()
    return result
