"""The inbox: list, claim, show and complete human tasks, with authorization on each."""
from dataclasses import dataclass, field
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from extensions import db
from forms.loader import FormContext, UnknownForm, cached_schema, describe, load_form, validate_submission
from models import Campaign, CompletionKey, HumanTask, TaskCandidate, User
from schemas.task import TaskSchema
from services import audit
from services.org import delegations, scope
from services.workflow import clock
from services.workflow import registry
from services.workflow import runtime
from services.workflow import task_context
from services.workflow import task_rows
from services.workflow import task_views
from services.workflow.task_context import TaskContext
from services.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed


@dataclass
class TaskForm:
    task: HumanTask
    form: dict
    context: FormContext


def _acting_for(user: User) -> list[int]:
    """The user and the colleagues on leave whose tasks they do today (代办, services/org/delegations.py)."""
    return [user.id, *delegations.principals_for(user)]


class Acting:
    """`_acting_for`, read only when a rule needs more than the user: a task named to or claimed by the user
    is decided without the delegation query (most completions)."""

    def __init__(self, user: User):
        self.user, self._ids = user, None

    @property
    def ids(self) -> list[int]:
        if self._ids is None:
            self._ids = _acting_for(self.user)
        return self._ids

    def __contains__(self, user_id) -> bool:
        return user_id == self.user.id or user_id in self.ids


def _eligible_clause(user: User):
    """SQL for the open tasks this user may take: named, claimed, their department's, or their role's."""
    ids = _acting_for(user)
    named = exists().where(and_(TaskCandidate.task_id == HumanTask.id, TaskCandidate.user_id.in_(ids)))
    pooled = and_(HumanTask.department_id == user.department_id, HumanTask.department_id.is_not(None),
                  HumanTask.role.in_([r for r in user.role_names]))
    # A role's task (the supervisor's approvals) goes to the holders of the role whose scope has the campaign.
    in_scope = or_(HumanTask.campaign_id.is_(None),
                   HumanTask.campaign_id.in_(select(Campaign.id).where(scope.clause(user, Campaign.region_id))))
    by_role = and_(HumanTask.department_id.is_(None), HumanTask.role.in_(user.role_names),
                   ~exists().where(TaskCandidate.task_id == HumanTask.id), in_scope)
    return or_(HumanTask.claimed_by_id.in_(ids),
               and_(HumanTask.claimed_by_id.is_(None), or_(named, pooled, by_role)))


def inbox(user: User) -> dict[str, list[HumanTask]]:
    base = select(HumanTask).where(HumanTask.status == "open", _eligible_clause(user)).order_by(
        HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
    tasks = db.session.scalars(base).all()
    ids = set(_acting_for(user))
    mine = [t for t in tasks if t.claimed_by_id in ids or any(c.user_id in ids for c in t.candidates)]
    pool = [t for t in tasks if t not in mine]
    return {"mine": mine, "pool": pool}


@dataclass
class Inbox:
    """The inbox page: my tasks and the pool, most urgent first, with the filter's choices."""
    mine: list[task_views.TaskView]
    pool: list[task_views.TaskView]
    campaigns: list[tuple[int, str, str]]   # (id, code, title) of the campaigns the open tasks belong to
    stages: list[str]
    # The campaign kinds of the tasks at each stage: a kind may name a stage its own way (a complaint's 分类处置
    # is stage "diagnosis"), and the filter's choice names every way its tasks are labelled.
    stage_kinds: dict[str, list[str]] = field(default_factory=dict)
    campaign_id: int | None = None
    stage: str | None = None


def inbox_page(user: User, campaign_id: int | None = None, stage: str | None = None) -> Inbox:
    boxes = inbox(user)
    views = task_views.describe(boxes["mine"] + boxes["pool"], user)
    campaigns = sorted({(v.task.campaign_id, v.campaign_code, v.campaign_title) for v in views if v.task.campaign_id},
                       key=lambda c: c[1])
    stage_kinds: dict[str, set] = {}
    for view in views:
        if view.task.stage:
            stage_kinds.setdefault(view.task.stage, set()).add(view.campaign_kind or "")
    chosen = [v for v in views if (campaign_id is None or v.task.campaign_id == campaign_id)
              and (stage is None or v.task.stage == stage)]
    mine_ids = {t.id for t in boxes["mine"]}
    return Inbox(mine=task_views.by_urgency([v for v in chosen if v.task.id in mine_ids]),
                 pool=task_views.by_urgency([v for v in chosen if v.task.id not in mine_ids]),
                 campaigns=campaigns, stages=sorted(stage_kinds), campaign_id=campaign_id, stage=stage,
                 stage_kinds={code: sorted(found) for code, found in stage_kinds.items()})


def can_act(user: User, task: HumanTask, acting: Acting | None = None) -> bool:
    """`acting`: the caller's `Acting` of this user (one delegation query per completion at most)."""
    if task.status != "open":
        return False
    if task.claimed_by_id is not None:
        return task.claimed_by_id in (acting or Acting(user))
    return _addressed_to(user, task, acting)


def _addressed_to(user: User, task: HumanTask, acting: Acting | None = None) -> bool:
    """Whether the task was meant for this user (named, their department's or their role's), claims aside."""
    named = task.named_user_ids
    if named:
        return user.id in named or any(i in named for i in (acting or Acting(user)).ids)
    if task.department_id is not None:
        return user.department_id == task.department_id and user.has_role(task.role or "official")
    return task.role is not None and user.has_role(task.role) and _campaign_in_scope(user, task)


def _campaign_in_scope(user: User, task: HumanTask) -> bool:
    if task.campaign_id is None:
        return True
    return scope.covers(user, db.session.scalar(select(Campaign.region_id).where(Campaign.id == task.campaign_id)))


def get_task(user: User, task_id: int, acting: Acting | None = None) -> HumanTask:
    """A task the user may see: one they can act on, or one they completed."""
    task = _read_task(task_id)
    _check_visible(user, task, acting)
    return task


def _read_task(task_id: int) -> HumanTask:
    task = task_rows.get_with_candidates(task_id)
    if task is None:
        raise NotFound("任务不存在")
    return task


def _check_visible(user: User, task: HumanTask, acting: Acting | None = None) -> None:
    # A finished task stays visible to those it was meant for: a colleague who submits it a moment after
    # someone else gets "already done" (409), not "not yours" (403).
    finished_for_me = task.status != "open" and _addressed_to(user, task, acting)
    if not (can_act(user, task, acting) or finished_for_me or task.completed_by_id == user.id
            or (user.has_role("supervisor") and _campaign_in_scope(user, task))):
        raise Forbidden("这不是您或您所在部门的任务")


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
    return TaskForm(task, _form_for(task), _context_for(task_context.load(user, task)))


def form_description(user: User, task_id: int) -> dict:
    view = task_form(user, task_id)
    return describe(view.form, view.context)


@dataclass
class Completion:
    """The outcome of a completion sent with a key: the task document, and whether it is a repeat."""
    task_id: int
    result: dict
    replayed: bool


# A key is the client's: a UUID in practice; anything printable up to the column's length is accepted.
KEY_MAX_LENGTH = 100


def complete(user: User, task_id: int, submission: dict, view: TaskForm | None = None) -> HumanTask:
    """Validate the form, apply it to the domain, advance the workflow, audit; one transaction.

    `view` is the caller's `task_form` of this request (the page parsed the submission with it): its form
    context is used again rather than built a second time."""
    return _complete(user, task_id, submission, None, view)


def complete_for_answer(user: User, task_id: int, submission: dict) -> HumanTask:
    """`complete`, for a caller that answers with the task right away (the API): the session keeps the objects
    the completion wrote (not expired at its commit), so dumping the task reads no row back — no second pool
    checkout and SELECT per completion. The session is removed at the request's teardown."""
    session = db.session()
    session.expire_on_commit = False
    try:
        return complete(user, task_id, submission)
    finally:
        session.expire_on_commit = True


def complete_with_key(user: User, task_id: int, submission: dict, key: str,
                      view: TaskForm | None = None) -> Completion:
    """A completion that may be repeated: the same user and key give the first outcome again.

    The key row is written in the completion's own transaction, so after a dropped connection
    (a worker killed right after COMMIT) the retry finds it exactly when the completion happened.
    Two requests racing with one key: the loser's conditional update or the key's unique
    constraint fails, and it then answers with the winner's outcome.
    """
    key = _checked_key(key)
    earlier = _earlier(user, task_id, key)
    if earlier is not None:
        return earlier
    try:
        task = _complete(user, task_id, submission, key, view)
    except (Conflict, IntegrityError):
        db.session.rollback()
        earlier = _earlier(user, task_id, key)
        if earlier is None:
            raise
        return earlier
    row = db.session.scalars(select(CompletionKey).where(CompletionKey.user_id == user.id,
                                                         CompletionKey.key == key)).one()
    return Completion(task.id, row.result, replayed=False)


def earlier_completion(user: User, task_id: int, key: str | None) -> Completion | None:
    """The outcome already recorded for this user's key (the web form checks before storing uploads)."""
    if not key:
        return None
    return _earlier(user, task_id, _checked_key(key))


def _checked_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise ValidationFailed({"idempotency_key": [f"幂等键应为 1–{KEY_MAX_LENGTH} 个可打印字符"]},
                               "幂等键无效")
    return key


def _earlier(user: User, task_id: int, key: str) -> Completion | None:
    row = db.session.scalars(select(CompletionKey).where(CompletionKey.user_id == user.id,
                                                         CompletionKey.key == key)).first()
    if row is None:
        return None
    if row.task_id != task_id:
        raise ValidationFailed({"idempotency_key": ["该幂等键已用于另一项任务，请为每次办理使用新的键"]},
                               "幂等键已用于另一项任务")
    return Completion(row.task_id, row.result, replayed=True)


def _complete(user: User, task_id: int, submission: dict, key: str | None, view: TaskForm | None) -> HumanTask:
    acting = Acting(user)
    ctx = task_context.load_with_task(user, task_id)  # a campaign's task: the task and its context at once
    if ctx is None:
        task = _open_task(user, task_id, acting)
        ctx = task_context.load(user, task, key_share=True)
    else:
        task = ctx.task
        _check_open(user, task, acting)
    if view is not None and view.task.id == task.id:  # the page built the context already: validate against it
        try:
            data = validate_submission(view.form, view.context, submission)
        except ValidationError as exc:
            raise ValidationFailed(exc.messages) from exc
    else:
        data = _validated(ctx, _form_for(task), submission)
    on_behalf_of = _principal_of(user, task, acting)
    _mark_completed(user, task, on_behalf_of)
    handler = registry.FORM_HANDLERS.get(task.form_key)
    try:
        updates = handler(ctx, data) if handler else {}
        runtime.complete(task, updates or {})
    except DomainError:
        db.session.rollback()  # the task stays open and nothing the handler wrote is kept
        raise
    audit.record(user, "task.complete", "human_task", task.id, campaign_id=task.campaign_id,
                 form_key=task.form_key, element_id=task.element_id, inspection_id=task.inspection_id,
                 **({"on_behalf_of": on_behalf_of} if on_behalf_of else {}))
    if key is not None:
        db.session.add(CompletionKey(user_id=user.id, key=key, task_id=task.id, result=TaskSchema().dump(task),
                                     created_at=clock.now()))
    db.session.commit()
    return task


def save_draft(user: User, task_id: int, submission: dict) -> datetime:
    """Keep what was typed so far, unchecked, for a form that has drafts (the inspection record); the time saved."""
    task = _open_task(user, task_id)
    hook = registry.FORM_DRAFTS.get(task.form_key)
    if hook is None:
        raise Conflict("该任务的表单不能保存草稿")
    _check_draft_shape(_form_for(task), submission)
    return hook(user, task.inspection_id, submission).saved_at


def _check_draft_shape(form: dict, submission: dict) -> None:
    """A draft is unchecked, but only holds the form's own fields, rows as a list of objects (an API client's
    draft is reopened in the page like a typed one)."""
    kinds = {spec["name"]: spec["type"] for spec in form["fields"]}
    errors = {name: ["表单中没有该字段"] for name in submission if name not in kinds}
    errors |= {name: ["应为逐行填写的列表，每行一个对象"] for name, value in submission.items()
               if kinds.get(name) == "rows" and not (isinstance(value, list) and all(isinstance(r, dict) for r in value))}
    if errors:
        raise ValidationFailed(errors, "草稿内容有误，未保存")


def attach_evidence(user: User, task_id: int, uploads: list, required: bool = False) -> list:
    """Photos or PDFs for a form that takes them, stored at once (all or nothing) and kept even when the form
    itself still needs fixing; each upload has `item_id`, `filename` and `stream` (services.stages.evidence).
    Without files nothing happens, unless `required` (an upload request that carries none)."""
    uploads = [u for u in uploads if u.filename]
    if not uploads and not required:
        return []
    task = _open_task(user, task_id)
    if not uploads:
        raise ValidationFailed({"evidence": ["请选择要上传的文件（字段 evidence 或 evidence.<检查项编号>）"]}, "没有收到文件")
    hook = registry.FORM_EVIDENCE.get(task.form_key)
    if hook is None:
        raise ValidationFailed({"evidence": ["该任务的表单不接收证据文件"]}, "该任务不接收证据文件，未保存")
    return hook(user, task.inspection_id, uploads)


def _open_task(user: User, task_id: int, acting: Acting | None = None) -> HumanTask:
    """A task the user may act on now: 403 when it is not theirs, 409 when it is already done."""
    task = _read_task(task_id)
    _check_open(user, task, acting)
    return task


def _check_open(user: User, task: HumanTask, acting: Acting | None = None) -> None:
    """`_open_task`'s checks of a task read already."""
    _check_visible(user, task, acting)
    if not can_act(user, task, acting):
        raise _already_done(user, task) if task.status != "open" else Forbidden("无权办理该任务")


def _validated(ctx: TaskContext, form: dict, submission: dict) -> dict:
    """The cleaned submission. A form with a validation hook reuses its schema while the choices and rows it
    depends on are unchanged (joint_inspection: per checklist revision and matters), without building the
    page's context (drafts, officers, evidence…), which validation does not read."""
    hook = registry.FORM_VALIDATION.get(ctx.task.form_key)
    try:
        if hook is None:
            return validate_submission(form, _context_for(ctx), submission)
        key, build_context = hook(ctx)
        return validate_submission(form, None, submission, schema=cached_schema(form, key, build_context))
    except ValidationError as exc:
        raise ValidationFailed(exc.messages) from exc


def _principal_of(user: User, task: HumanTask, acting: Acting) -> int | None:
    """The colleague on leave this completion is for (代办), when the task was theirs and not the user's."""
    if task.claimed_by_id not in (None, user.id):
        return task.claimed_by_id
    named = task.named_user_ids
    if named and user.id not in named:
        return next((p for p in acting.ids[1:] if p in named), None)
    return None


def _already_done(user: User, task: HumanTask) -> Conflict:
    """409 that tells the person whether they did it themselves (a repeated submit) or a colleague did."""
    if task.status == "completed" and task.completed_by_id == user.id:
        return Conflict("您已办理过该任务", completed_by="you")
    if task.status == "completed":
        return Conflict("该任务已办理：办理人是其他同事，不是您", completed_by="someone_else")
    return Conflict("该任务已办理")


def _mark_completed(user: User, task: HumanTask, on_behalf_of: int | None = None) -> None:
    # A conditional update, so that of two simultaneous completions exactly one wins; RETURNING tells which.
    # Through Core, then the new values set on the loaded task as committed: what the ORM's "fetch"
    # synchronisation did, at a fraction of its CPU.
    values = {"status": "completed", "completed_by_id": user.id, "completed_at": clock.now(),
              "claimed_by_id": user.id, "on_behalf_of_id": on_behalf_of}
    if not task_rows.complete_if_open(task.id, values):
        db.session.rollback()
        raise _already_done(user, db.session.get(HumanTask, task.id))
    for name, value in values.items():
        set_committed_value(task, name, value)


def _form_for(task: HumanTask) -> dict:
    try:
        return load_form(task.form_key)
    except UnknownForm as exc:
        raise DomainError(f"任务表单 {task.form_key} 不存在") from exc


def _context_for(ctx: TaskContext) -> FormContext:
    provider = registry.FORM_CONTEXTS.get(ctx.task.form_key)
    return provider(ctx) if provider else FormContext()
