"""The inbox: list, claim, show and complete human tasks, with authorization on each."""
from dataclasses import dataclass

from marshmallow import ValidationError
from sqlalchemy import and_, exists, or_, select, update

from extensions import db
from forms.loader import FormContext, UnknownForm, describe, load_form, validate_submission
from models import Campaign, HumanTask, Inspection, TaskCandidate, User
from services import audit
from services.workflow import clock
from services.workflow import registry
from services.workflow import runtime
from services.workflow import task_views
from services.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed


@dataclass
class TaskContext:
    """What a form handler gets: the actor, the task and the domain rows it concerns."""
    user: User
    task: HumanTask
    campaign: Campaign | None
    inspection: Inspection | None


@dataclass
class TaskForm:
    task: HumanTask
    form: dict
    context: FormContext


def _eligible_clause(user: User):
    """SQL for the open tasks this user may take: named, claimed, their department's, or their role's."""
    named = exists().where(and_(TaskCandidate.task_id == HumanTask.id, TaskCandidate.user_id == user.id))
    pooled = and_(HumanTask.department_id == user.department_id, HumanTask.department_id.is_not(None),
                  HumanTask.role.in_([r for r in user.role_names]))
    by_role = and_(HumanTask.department_id.is_(None), HumanTask.role.in_(user.role_names),
                   ~exists().where(TaskCandidate.task_id == HumanTask.id))
    return or_(HumanTask.claimed_by_id == user.id,
               and_(HumanTask.claimed_by_id.is_(None), or_(named, pooled, by_role)))


def inbox(user: User) -> dict[str, list[HumanTask]]:
    base = select(HumanTask).where(HumanTask.status == "open", _eligible_clause(user)).order_by(
        HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
    tasks = db.session.scalars(base).all()
    mine = [t for t in tasks if t.claimed_by_id == user.id or any(c.user_id == user.id for c in t.candidates)]
    pool = [t for t in tasks if t not in mine]
    return {"mine": mine, "pool": pool}


@dataclass
class Inbox:
    """The inbox page: my tasks and the pool, most urgent first, with the filter's choices."""
    mine: list[task_views.TaskView]
    pool: list[task_views.TaskView]
    campaigns: list[tuple[int, str, str]]   # (id, code, title) of the campaigns the open tasks belong to
    stages: list[str]
    campaign_id: int | None = None
    stage: str | None = None


def inbox_page(user: User, campaign_id: int | None = None, stage: str | None = None) -> Inbox:
    boxes = inbox(user)
    views = task_views.describe(boxes["mine"] + boxes["pool"], user)
    campaigns = sorted({(v.task.campaign_id, v.campaign_code, v.campaign_title) for v in views if v.task.campaign_id},
                       key=lambda c: c[1])
    stages = sorted({v.task.stage for v in views if v.task.stage})
    chosen = [v for v in views if (campaign_id is None or v.task.campaign_id == campaign_id)
              and (stage is None or v.task.stage == stage)]
    mine_ids = {t.id for t in boxes["mine"]}
    return Inbox(mine=task_views.by_urgency([v for v in chosen if v.task.id in mine_ids]),
                 pool=task_views.by_urgency([v for v in chosen if v.task.id not in mine_ids]),
                 campaigns=campaigns, stages=stages, campaign_id=campaign_id, stage=stage)


def can_act(user: User, task: HumanTask) -> bool:
    if task.status != "open":
        return False
    if task.claimed_by_id is not None:
        return task.claimed_by_id == user.id
    return _addressed_to(user, task)


def _addressed_to(user: User, task: HumanTask) -> bool:
    """Whether the task was meant for this user (named, their department's or their role's), claims aside."""
    if task.candidates:
        return any(c.user_id == user.id for c in task.candidates)
    if task.department_id is not None:
        return user.department_id == task.department_id and user.has_role(task.role or "official")
    return task.role is not None and user.has_role(task.role)


def get_task(user: User, task_id: int) -> HumanTask:
    """A task the user may see: one they can act on, or one they completed."""
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("任务不存在")
    # A finished task stays visible to those it was meant for: a colleague who submits it a moment after
    # someone else gets "already done" (409), not "not yours" (403).
    finished_for_me = task.status != "open" and _addressed_to(user, task)
    if not (can_act(user, task) or finished_for_me or task.completed_by_id == user.id
            or user.has_role("supervisor")):
        raise Forbidden("这不是您或您所在部门的任务")
    return task


def claim(user: User, task_id: int) -> HumanTask:
    task = get_task(user, task_id)
    if not can_act(user, task):
        raise Forbidden("无权认领该任务")
    if task.claimed_by_id == user.id:
        return task
    task.claimed_by_id = user.id
    audit.record(user, "task.claim", "human_task", task.id, campaign_id=task.campaign_id)
    db.session.commit()
    return task


def unclaim(user: User, task_id: int) -> HumanTask:
    task = get_task(user, task_id)
    if task.claimed_by_id != user.id:
        raise Forbidden("只能退回自己认领的任务")
    task.claimed_by_id = None
    audit.record(user, "task.unclaim", "human_task", task.id, campaign_id=task.campaign_id)
    db.session.commit()
    return task


def task_form(user: User, task_id: int) -> TaskForm:
    task = get_task(user, task_id)
    return TaskForm(task, _form_for(task), _context_for(_task_context(user, task)))


def form_description(user: User, task_id: int) -> dict:
    view = task_form(user, task_id)
    return describe(view.form, view.context)


def complete(user: User, task_id: int, submission: dict) -> HumanTask:
    """Validate the form, apply it to the domain, advance the workflow, audit; one transaction."""
    task = get_task(user, task_id)
    if not can_act(user, task):
        raise Conflict("该任务已办理") if task.status != "open" else Forbidden("无权办理该任务")
    ctx = _task_context(user, task)
    form = _form_for(task)
    try:
        data = validate_submission(form, _context_for(ctx), submission)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages) from exc
    _mark_completed(user, task)
    handler = registry.FORM_HANDLERS.get(task.form_key)
    updates = handler(ctx, data) if handler else {}
    runtime.complete(task, updates or {})
    audit.record(user, "task.complete", "human_task", task.id, campaign_id=task.campaign_id,
                 form_key=task.form_key, element_id=task.element_id, inspection_id=task.inspection_id)
    db.session.commit()
    return task


def _mark_completed(user: User, task: HumanTask) -> None:
    # A conditional update, so that of two simultaneous completions exactly one wins.
    won = db.session.execute(
        update(HumanTask).where(HumanTask.id == task.id, HumanTask.status == "open")
        .values(status="completed", completed_by_id=user.id, completed_at=clock.now(), claimed_by_id=user.id)
        .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        db.session.rollback()
        raise Conflict("该任务已被办理")
    db.session.refresh(task)


def _form_for(task: HumanTask) -> dict:
    try:
        return load_form(task.form_key)
    except UnknownForm as exc:
        raise DomainError(f"任务表单 {task.form_key} 不存在") from exc


def _task_context(user: User, task: HumanTask) -> TaskContext:
    campaign = db.session.get(Campaign, task.campaign_id) if task.campaign_id else None
    inspection = db.session.get(Inspection, task.inspection_id) if task.inspection_id else None
    return TaskContext(user, task, campaign, inspection)


def _context_for(ctx: TaskContext) -> FormContext:
    provider = registry.FORM_CONTEXTS.get(ctx.task.form_key)
    return provider(ctx) if provider else FormContext()
