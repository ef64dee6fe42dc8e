"""What a form handler is given: the actor, the task and the domain rows it concerns, read for a completion
in one statement that also takes the campaign row's lock (services/workflow/tasks.py completes; the handlers
in services/handlers.py read the context)."""
from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, undefer

from extensions import db
from models import Campaign, HumanTask, Inspection, User
from services import audit


@dataclass
class TaskContext:
    """What a form handler gets: the actor, the task and the domain rows it concerns."""
    user: User
    task: HumanTask
    campaign: Campaign | None
    inspection: Inspection | None


def load(user: User, task: HumanTask, key_share: bool = False) -> TaskContext:
    """With `key_share` (a completion), the campaign and the inspection are read in one statement that takes
    the campaign row's KEY SHARE lock (`_locked_context`); otherwise each is read as it is."""
    campaign = inspection = None
    if task.campaign_id and key_share:
        campaign, inspection = _locked_context(user, task)
    elif task.campaign_id:
        campaign = db.session.get(Campaign, task.campaign_id)
    if task.inspection_id and inspection is None:
        # Its officers and sign-offs with it: authorization and the two-officer rule read both.
        inspection = db.session.get(Inspection, task.inspection_id, options=[
            joinedload(Inspection.officers), joinedload(Inspection.signoffs)])
    return TaskContext(user, task, campaign, inspection)


def load_with_task(user: User, task_id: int) -> TaskContext | None:
    """A completion's task and its context in one statement (`_locked_context`'s, the task joined in), for a task
    of a campaign: the task's own SELECT was a statement and an ORM query of its own per completion. None when
    the task has no campaign (or does not exist): the caller reads the task alone and `load`s the context then.
    The caller checks the task (who may complete it) as it would have before reading the context."""
    row = db.session.execute(_task_and_context_query(), {"task_id": task_id, "user_id": user.id}).one_or_none()
    if row is None:
        return None
    task, campaign, _, inspection = row
    audit.note_key_shared(Campaign, campaign.id)
    audit.note_key_shared(User, user.id)
    return TaskContext(user, task, campaign, inspection)


def _locked_context(user: User, task: HumanTask) -> tuple[Campaign, Inspection | None]:
    """The campaign read with its row's KEY SHARE lock, the lock the completion's inserts (audit, tasks) need
    anyway: when another session holds the row FOR UPDATE, the completion waits (and after the lock timeout
    gives up with 409) before doing any work, instead of after the form, the handler and the engine step, so
    the retries of a blocked campaign cost the others almost no CPU. The actor's row, which the audit record
    references, is locked alike; the audit append then need not lock either again. No-op on SQLite.

    In the same statement (not locked): the campaign's matter ids (a form's cached schema is keyed by them)
    and the task's inspection with what its handler reads: officers, sign-offs and who has a draft (each as one
    aggregated column, not a joined row and object each: Inspection.officer_list), the draw date."""
    params = {"campaign_id": task.campaign_id, "user_id": user.id, "inspection_id": task.inspection_id}
    row = db.session.execute(_locked_context_query(task.inspection_id is not None), params).unique().one()
    audit.note_key_shared(Campaign, row[0].id)
    audit.note_key_shared(User, user.id)
    return row[0], row[2] if task.inspection_id else None


@cache
def _locked_context_query(with_inspection: bool):
    """Built once (with bound parameters): building it costs more CPU than running it."""
    query = (select(Campaign, User.id).join_from(Campaign, User, User.id == bindparam("user_id"))
             .where(Campaign.id == bindparam("campaign_id")).options(undefer(Campaign.matter_ids)))
    if with_inspection:
        query = query.add_columns(Inspection).join(Inspection, Inspection.id == bindparam("inspection_id")).options(
            undefer(Inspection.drawn_at), undefer(Inspection.officer_list), undefer(Inspection.signoff_list),
            undefer(Inspection.draft_list))
    return query.with_for_update(read=True, key_share=True, of=[Campaign, User])


@cache
def _task_and_context_query():
    """`_locked_context_query` with the task: its campaign joined (a task without one gives no row), its
    inspection outer-joined (a campaign's own tasks have none); the lock as there, on the campaign and the actor
    only. Built on first use, as that one: its undefer() options configure every mapper (~0.4 s of CPU), which
    a process that never completes a task need not pay at import."""
    return (select(HumanTask, Campaign, User.id, Inspection)
            .join(Campaign, Campaign.id == HumanTask.campaign_id)
            .join(User, User.id == bindparam("user_id"))
            .outerjoin(Inspection, Inspection.id == HumanTask.inspection_id)
            .where(HumanTask.id == bindparam("task_id"))
            .options(undefer(HumanTask.candidate_list), undefer(Campaign.matter_ids), undefer(Inspection.drawn_at),
                     undefer(Inspection.officer_list), undefer(Inspection.signoff_list),
                     undefer(Inspection.draft_list))
            .with_for_update(read=True, key_share=True, of=[Campaign, User]))
