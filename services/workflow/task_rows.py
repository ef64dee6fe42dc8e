"""The human_task row's two statements on a completion's path, built once: building a statement per call
also computes its cache key per call, which costs more CPU than running it (services/workflow/tasks.py)."""
from functools import cache

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.orm import undefer
from sqlalchemy.orm.util import identity_key

from extensions import db, execute_core
from models import HumanTask

_tasks = HumanTask.__table__
_COMPLETE_IF_OPEN = (update(_tasks).where(_tasks.c.id == bindparam("task_id"), _tasks.c.status == "open")
                     .values(status=bindparam("status"), completed_by_id=bindparam("completed_by_id"),
                             completed_at=bindparam("completed_at"), claimed_by_id=bindparam("claimed_by_id"),
                             on_behalf_of_id=bindparam("on_behalf_of_id"))
                     .returning(_tasks.c.id))


def get_with_candidates(task_id: int) -> HumanTask | None:
    """`session.get` of the task with its candidates' ids (HumanTask.named_user_ids): the task as the session
    holds it (a page's `task_form` read it already), else one SELECT."""
    held = db.session.identity_map.get(identity_key(HumanTask, task_id))
    if held is not None and not inspect(held).expired:
        return held
    return db.session.scalars(_task_by_id(), {"b_task_id": task_id}).unique().one_or_none()


@cache
def _task_by_id():
    """The candidates as one aggregated column (HumanTask.candidate_list), not a joined row (and object) each.
    Built on first use, not at import: undefer() configures every mapper (~0.4 s of CPU)."""
    return select(HumanTask).where(HumanTask.id == bindparam("b_task_id")).options(undefer(HumanTask.candidate_list))


def complete_if_open(task_id: int, values: dict) -> bool:
    """Write the completion's values unless the task is no longer open; whether it was (RETURNING tells)."""
    return len(execute_core(_COMPLETE_IF_OPEN, {**values, "task_id": task_id}).all()) == 1
