"""The workflow runtime: persisted instances, advanced by the engine, indexed as human tasks.

Every call works inside the caller's transaction; the use-case service commits. An
instance row carries an optimistic-lock version, so two concurrent saves of one instance
cannot both succeed (the loser gets a Conflict, never a lost update).
"""
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import current_app
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from engine import runner
from engine import timer_events
from engine.runner import TaskNotReady
from engine.sandbox import SandboxedScriptEngine
from engine.serializer import dump_data, dump_state, load_state
from extensions import db, execute_core
from models import Campaign, CampaignStage, HumanTask, ProcessDefinition, TaskCandidate, WorkflowInstance
from services.workflow import assignment
from services.workflow import bpmn_timers
from services.workflow import clock
from services.workflow import deployments
from services.workflow import registry
from services.workflow import script_limits
from services.workflow import sla
from services.errors import Conflict, DomainError


def start_instance(process_id: str, data: dict, *, campaign_id: int | None = None,
                   inspection_id: int | None = None, region_id: int | None = None) -> WorkflowInstance:
    """Start on the version deployed for `region_id` (the lead department's region: see deployments.for_region)."""
    definition = deployments.for_region(process_id, region_id)
    now = clock.now()
    instance = WorkflowInstance(definition=definition, campaign_id=campaign_id, inspection_id=inspection_id,
                                state="{}", created_at=now, updated_at=now)
    db.session.add(instance)
    db.session.flush()
    workflow = runner.new_workflow(deployments.parsed(definition), _script_engine(), data)
    _step(lambda: runner.advance(workflow))
    save(instance, workflow)
    return instance


def load(instance: WorkflowInstance):
    return _loaded(instance.state, deployments.parsed(instance.definition))


def _loaded(state: str, parsed):
    workflow = load_state(state, parsed)
    workflow.script_engine = _script_engine()  # not serialized by SpiffWorkflow
    return workflow


@dataclass(frozen=True)
class Before:
    """What the engine held before a step, so that saving derives the task and timer rows to create and
    cancel from the step's outcome instead of reading them back: the ready user tasks (each has an open
    row) and the earliest waiting timer event (the pending bpmn.timer row is due then)."""
    ready: frozenset[str]
    next_due: datetime | None
    completed: HumanTask | None = None


@dataclass(frozen=True)
class NewTask:
    """A task row a completion inserted: what its escalation timer is scheduled from."""
    id: int
    campaign_id: int | None
    due_at: datetime | None


@dataclass(slots=True)
class InstanceRow:
    """A completion's instance: the row's columns, read (and locked) through Core. Nothing in a completion needs
    the ORM's WorkflowInstance (its identity, relationships or flush); loading one, with its definition's XML,
    cost ~0.1 ms of ORM work per completion. Readers of an instance (bpmn_timers, escalations, assignment)
    read its columns only."""
    id: int
    definition_id: int
    campaign_id: int | None
    inspection_id: int | None
    state: str
    status: str
    lock_version: int
    content_hash: str
    process_id: str
    updated_at: datetime | None = None  # set by the save


def complete(task: HumanTask, data: dict) -> None:
    instance = InstanceRow(**execute_core(_LOCK_ROW, {"instance_id": task.instance_id}).one()._mapping)
    workflow = _loaded(instance.state, deployments.parsed_by_key(instance.definition_id, instance.content_hash,
                                                                 instance.process_id))
    before = Before(runner.ready_user_task_ids(workflow), timer_events.next_due(workflow), task)
    _step(lambda: runner.complete_task(workflow, task.spiff_task_id, data))
    save(instance, workflow, before)


def send_message(instance: WorkflowInstance, name: str, payload=None) -> None:
    workflow = load(lock(instance))
    _step(lambda: runner.send_message(workflow, name, payload))
    save(instance, workflow)


def lock(instance: WorkflowInstance) -> WorkflowInstance:
    """Lock the instance row for the rest of the transaction and reload it.

    Concurrent completions on one instance then queue instead of failing the version check
    (which stays as a second guard, and is what SQLite relies on). FOR NO KEY UPDATE, so
    inserting human tasks that reference the row is not blocked. Transaction-scoped: a
    commit, a rollback or a crashed process's dropped connection releases it.
    """
    return _lock_by_id(instance.id)


def _lock_by_id(instance_id: int) -> WorkflowInstance:
    """The locked, reloaded instance with its definition in the same statement (the lock is on the instance)."""
    return db.session.scalars(_lock_by_id_statement(), {"instance_id": instance_id}).one()


@cache
def _lock_by_id_statement():
    """Built once: building the statement costs more CPU than running it. On first use, not at import: its
    joinedload configures every mapper (~0.4 s of CPU), which a process that never loads an instance (a CLI
    command, a web worker until its first such request) need not pay."""
    return (select(WorkflowInstance).where(WorkflowInstance.id == bindparam("instance_id"))
            .options(joinedload(WorkflowInstance.definition))
            .with_for_update(key_share=True, of=WorkflowInstance)
            .execution_options(populate_existing=True))


_instances, _definitions = WorkflowInstance.__table__, ProcessDefinition.__table__
# `_lock_by_id_statement()` through Core, for a completion (InstanceRow): the same lock, the definition's key but not its XML.
_LOCK_ROW = (select(_instances.c.id, _instances.c.definition_id, _instances.c.campaign_id, _instances.c.inspection_id,
                    _instances.c.state, _instances.c.status, _instances.c.lock_version, _definitions.c.content_hash,
                    _definitions.c.process_id)
             .join_from(_instances, _definitions, _definitions.c.id == _instances.c.definition_id)
             .where(_instances.c.id == bindparam("instance_id"))
             .with_for_update(key_share=True, of=_instances))


def campaign_instance(campaign_id: int) -> WorkflowInstance:
    return db.session.scalars(select(WorkflowInstance).where(
        WorkflowInstance.campaign_id == campaign_id, WorkflowInstance.inspection_id.is_(None))).one()


def case_instance(inspection_id: int) -> WorkflowInstance:
    return db.session.scalars(select(WorkflowInstance).where(
        WorkflowInstance.inspection_id == inspection_id)).one()


def advance(workflow) -> None:
    """Let the workflow see the clock and run what became ready (the timer worker's step)."""
    _step(lambda: runner.advance(workflow))


def save(instance: WorkflowInstance | InstanceRow, workflow, before: Before | None = None) -> None:
    """`before`: what the engine held before this step (a completion, whose `instance` is an InstanceRow);
    without it the rows are read back."""
    state = _capped_state(workflow)
    status = "completed" if runner.is_completed(workflow) else "running"
    if before is None:
        instance.state, instance.updated_at, instance.status = state, clock.now(), status
        changed = ((), _sync_tasks(instance, workflow))
    else:
        _write_instance(instance, state, status)
        changed = _sync_tasks_after(instance, workflow, before)
    if instance.campaign_id is not None and instance.inspection_id is None:
        _sync_stage(instance, workflow)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict("该流程刚被其他人更新，请刷新后重试") from exc
    bpmn_timers.after_save(instance, workflow, before, changed)  # timer rows: BPMN timer events, SLA escalations
    # Where a campaign's work outlives its process (registry.CAMPAIGN_STAGES), its kind's rule sets the stage once
    # the process ended, and again when a case moves: only on a message (a handling decision) or at the case's
    # end, so an ordinary completion pays nothing for it.
    if instance.campaign_id is not None and registry.CAMPAIGN_STAGES and (before is None or status == "completed"):
        _follow(instance, status)


def _write_instance(instance: InstanceRow, state: str, status: str) -> None:
    """The instance row's UPDATE with the optimistic-lock check the ORM's version counter does, through Core:
    a completion then leaves nothing for the unit of work to flush (its fixed cost is many times that of a
    one-row UPDATE). A WorkflowInstance the session holds for the row gets the new values as committed, as a
    flush would have left it."""
    values = {"state": state, "status": status, "updated_at": clock.now(), "lock_version": instance.lock_version + 1}
    if execute_core(_UPDATE_INSTANCE, {**values, "instance_id": instance.id,
                                       "old_version": instance.lock_version}).rowcount != 1:
        raise Conflict("该流程刚被其他人更新，请刷新后重试")
    held = db.session.identity_map.get(identity_key(WorkflowInstance, instance.id))
    for name, value in values.items():
        setattr(instance, name, value)
        if held is not None:
            set_committed_value(held, name, value)


# Built once, like _lock_by_id_statement().
_UPDATE_INSTANCE = (update(_instances).where(_instances.c.id == bindparam("instance_id"),
                                             _instances.c.lock_version == bindparam("old_version"))
                    .values(state=bindparam("state"), status=bindparam("status"),
                            updated_at=bindparam("updated_at"), lock_version=bindparam("lock_version")))


def _script_engine() -> SandboxedScriptEngine:
    engine = SandboxedScriptEngine(service_handlers=registry.OPERATIONS, limits=script_limits.limits(),
                                   pool_size=script_limits.pool_size())
    engine.timer_rules = script_limits.timer_rules()  # read by engine.timer_events at run time
    return engine


def _capped_state(workflow) -> str:
    """The instance's state as saved, refused (before anything is written) past INSTANCE_DATA_MAX_BYTES.
    Raised before the row changes, so the use case's rollback leaves instance, tasks and timers as they were."""
    try:
        state = dump_state(workflow)
    except ValueError as exc:  # e.g. an integer too long to print, from data no script made
        raise DomainError("流程数据无法保存：其中有无法保存的值（例如过长的整数）") from exc
    limit = current_app.config["INSTANCE_DATA_MAX_BYTES"]
    # UTF-8 takes at most 4 bytes a character: a state that short is under the limit without encoding it.
    size = 0 if len(state) * 4 <= limit else len(state.encode("utf-8"))
    if size > limit:
        raise DomainError(f"流程数据超过上限（{limit // 1024} KB）：任务{_largest_task(workflow)}的数据过大"
                          f"（整个流程约 {size // 1024} KB），本次更改未保存")
    return state


def _largest_task(workflow) -> str:
    """The task holding the most data; of equals the first in the tree, where the data appeared (later tasks
    inherit a copy of it)."""
    tasks = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id]
    return script_limits.element_label(max(tasks, key=lambda t: len(dump_data(t.data)))) if tasks else "「?」"


def _step(action) -> None:
    """Run an engine step; a domain error raised inside a service task reaches the caller as itself."""
    try:
        action()
    except TaskNotReady as exc:
        raise Conflict("该任务已办理或已不再等待处理") from exc
    except WorkflowException as exc:
        cause = _domain_cause(exc) or script_limits.domain_error(exc)
        if cause is not None:
            raise cause from exc
        raise DomainError(f"流程执行出错: {exc}") from exc


def _domain_cause(exc: BaseException) -> DomainError | None:
    seen = exc
    while seen is not None:
        if isinstance(seen, DomainError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _sync_tasks(instance: WorkflowInstance, workflow) -> list[HumanTask]:
    ready = {t.task_id: t for t in runner.ready_user_tasks(workflow)}
    open_rows = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == "open")).all()
    known = set()
    for row in open_rows:
        known.add(row.spiff_task_id)
        if row.spiff_task_id not in ready:
            row.status = "cancelled"
    return [_create_task_row(instance, task) for task_id, task in ready.items()
            if task_id not in known and not _already_recorded(instance.id, task_id)]


def _sync_tasks_after(instance: WorkflowInstance, workflow, before: Before) -> tuple[list[str], list[NewTask]]:
    """The rows a step changed, from the engine's ready tasks before and after it: the tasks no longer ready
    (but the completed one) are cancelled, those newly ready get a row, each in one statement."""
    ready = runner.ready_user_task_ids(workflow)
    gone = before.ready - ready - {before.completed.spiff_task_id}
    if gone:
        db.session.execute(update(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.spiff_task_id.in_(sorted(gone)), HumanTask.status == "open")
            .values(status="cancelled").execution_options(synchronize_session="evaluate"))
    # A task newly ready in this step never had a row: the engine makes a new task (a new id) for every
    # repetition, loops and multi-instance alike, and only a reset (migration: `save` without `before`, which
    # reconciles by reading) makes an old one ready again. The unique (instance, task id) constraint guards it.
    # Only the new ones are described (their data copied): the others already have their row. Several are
    # described in the task tree's order (the rows' order); none, nothing to describe.
    new = ready - before.ready
    return sorted(gone), [_insert_task_row(instance, task) for task in runner.ready_user_tasks(workflow, new)] if new else []


def _already_recorded(instance_id: int, task_id: str) -> bool:
    return db.session.scalar(select(HumanTask.id).where(
        HumanTask.instance_id == instance_id, HumanTask.spiff_task_id == task_id)) is not None


def _insert_task_row(instance: WorkflowInstance, task: runner.ReadyTask) -> NewTask:
    """`_create_task_row` through Core, for a completion: the task and its candidates in an INSERT each, no ORM
    object to flush (nothing in the completion reads the new task back as an object; a query finds the row)."""
    values, user_ids = _task_values(instance, task)
    task_id = execute_core(_INSERT_TASK, values).scalar_one()
    if user_ids:
        execute_core(_INSERT_CANDIDATES, [{"task_id": task_id, "user_id": u} for u in user_ids])
    return NewTask(task_id, values["campaign_id"], values["due_at"])


_INSERT_TASK = insert(HumanTask.__table__).returning(HumanTask.__table__.c.id)  # built once
_INSERT_CANDIDATES = insert(TaskCandidate.__table__)


def _create_task_row(instance: WorkflowInstance, task: runner.ReadyTask) -> HumanTask:
    values, user_ids = _task_values(instance, task)
    row = HumanTask(**values)
    row.candidates = [TaskCandidate(user_id=uid) for uid in user_ids]
    db.session.add(row)
    return row


def _task_values(instance: WorkflowInstance, task: runner.ReadyTask) -> tuple[dict, list[int]]:
    """A new task row's columns, and the users named as its candidates."""
    target = assignment.resolve(instance, task)
    now = clock.now()
    due = sla.task_due(instance.campaign_id, task.properties.get("stage"), task.properties.get("slaDays"), now)
    return {"instance_id": instance.id, "spiff_task_id": task.task_id, "element_id": task.element_id,
            "title": task.title, "form_key": task.properties.get("formKey", task.element_id), "lane": task.lane,
            "stage": task.properties.get("stage"), "campaign_id": instance.campaign_id,
            "inspection_id": instance.inspection_id, "department_id": target.department_id, "role": target.role,
            "status": "open", "created_at": now, "due_at": due}, list(target.user_ids)


def _follow(instance: WorkflowInstance, status: str) -> None:
    if instance.inspection_id is None and status != "completed":
        return  # the campaign's own process still runs: _sync_stage keeps its stage
    follow_stage(db.session.get(Campaign, instance.campaign_id))


def follow_stage(campaign: Campaign) -> None:
    """Where the campaign's kind has work that outlives its process (registry.CAMPAIGN_STAGES), set its stage as
    that work stands; nothing for the other kinds. Also for a change outside the workflow (a transfer's receipt)."""
    follow = registry.CAMPAIGN_STAGES.get(campaign.kind)
    if follow is not None:
        follow(campaign)


def _sync_stage(instance: WorkflowInstance, workflow) -> None:
    campaign = db.session.get(Campaign, instance.campaign_id)
    if runner.is_completed(workflow) and campaign.kind in registry.CAMPAIGN_STAGES:
        return  # its work goes on after its process: the kind's rule (after the save, `_follow`) says where it stands
    stages = runner.active_stage_properties(workflow)
    stage = "closed" if runner.is_completed(workflow) else (stages[0] if stages else campaign.stage)
    if runner.is_completed(workflow) and campaign.status == "active":
        campaign.status = "completed"
        campaign.completed_at = clock.now()
    if stage == campaign.stage and campaign.stages:
        return
    now = clock.now()
    for open_stage in campaign.stages:
        if open_stage.left_at is None:
            open_stage.left_at = now
    campaign.stage = stage
    if stage != "closed":
        campaign.stages.append(CampaignStage(stage=stage, entered_at=now))
