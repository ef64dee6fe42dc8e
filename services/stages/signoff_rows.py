"""A sign-off's writes through Core (services/stages/inspections.record_inspection): the inspection's columns,
the sign-off, the countersign's corrected item results and the first revision, one statement each, with the
loaded objects left as a flush would have left them. The completion then gives the ORM's unit of work nothing
to flush: its fixed cost (sorting dependencies, visiting every loaded related object: officers, sign-offs,
items) was about a fifth of a completion, for two or three rows.
"""
from functools import cache

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from extensions import db, execute_core
from models import Inspection, InspectionRevision, InspectionSignoff, ItemResult

_inspections, _items = Inspection.__table__, ItemResult.__table__
# Built once (building a statement costs more CPU than running it).
_INSERT_SIGNOFF = insert(InspectionSignoff.__table__).returning(InspectionSignoff.__table__.c.id)
_UPDATE_ITEM = (update(_items).where(_items.c.id == bindparam("item_id"))
                .values(result=bindparam("result"), note=bindparam("note")))
_INSERT_REVISION = insert(InspectionRevision.__table__)
_RECORDED_ITEMS = (select(_items.c.id, _items.c.checklist_item_id, _items.c.result, _items.c.note)
                   .where(_items.c.inspection_id == bindparam("b_inspection_id")))


class Columns(dict):
    """The inspection's new column values: shown on the loaded inspection at once (as committed, so the ORM has
    no change of its own to flush; a rollback expires them like a flushed change), stored by `write`."""

    def __init__(self, inspection: Inspection):
        super().__init__()
        self.inspection = inspection

    def set(self, **values) -> None:
        for name, value in values.items():
            set_committed_value(self.inspection, name, value)
        self.update(values)

    def write(self) -> None:
        """One UPDATE of what was set since the last write."""
        if self:
            execute_core(_update_statement(frozenset(self)), {**self, "inspection_id": self.inspection.id})
            self.clear()


@cache
def _update_statement(names: frozenset[str]):
    """An UPDATE of these columns (a first signature and a countersign each set their own few), built once."""
    return (update(_inspections).where(_inspections.c.id == bindparam("inspection_id"))
            .values({name: bindparam(name) for name in sorted(names)}))


def add_signoff(inspection: Inspection, **values) -> None:
    """Insert the sign-off and show it in what the inspection holds of its sign-offs, as if loaded: the two-officer
    count and the countersign task's assignment (services/workflow/assignment.py) read Inspection.signer_ids
    later on. A completion read the signers as `signoff_list` (services/workflow/task_context.py): the new one is
    added to it, no object built; a page's form loaded `signoffs`: a detached object is added to that collection.
    Neither leaves anything pending for a flush, and a rollback expires both. Were neither loaded, a later read
    finds the row (this transaction inserted it)."""
    row_id = execute_core(_INSERT_SIGNOFF, {"inspection_id": inspection.id, **values}).scalar_one()
    if "signoffs" in inspection.__dict__:
        signoff = InspectionSignoff(id=row_id, inspection_id=inspection.id, **values)
        make_transient_to_detached(signoff)
        set_committed_value(inspection, "signoffs", [*inspection.signoffs, signoff])
    if "signoff_list" in inspection.__dict__:
        listed = [inspection.signoff_list] if inspection.signoff_list else []
        set_committed_value(inspection, "signoff_list", ",".join([*listed, f"{row_id}:{values['user_id']}"]))


def recorded_items(inspection: Inspection) -> list[dict]:
    """The recorded item results as {id, key, result, note}: from the loaded collection when there is one (a
    page's form read it), else by one SELECT of their columns (no ORM objects built, none to keep in step)."""
    if "item_results" in inspection.__dict__:
        return [{"id": r.id, "key": r.checklist_item_id, "result": r.result, "note": r.note}
                for r in inspection.item_results]
    return [{"id": r.id, "key": r.checklist_item_id, "result": r.result, "note": r.note}
            for r in execute_core(_RECORDED_ITEMS, {"b_inspection_id": inspection.id})]


def correct_items(recorded: list[dict], rows: list[dict]) -> list[dict] | None:
    """The countersign's corrections of the recorded items (`recorded_items`): the changed ones in one UPDATE;
    the items as they now are. None (and nothing written) when the rows are not the recorded items one for
    one: the caller applies them through the ORM then, which also adds and removes rows."""
    by_key = {r["key"]: r for r in recorded}
    if len(rows) != len(by_key) or {row["key"] for row in rows} != set(by_key):
        return None
    current = [{"id": by_key[row["key"]]["id"], "key": row["key"], "result": row["result"], "note": row.get("note")}
               for row in rows]
    changes = [item for item in current if (by_key[item["key"]]["result"], by_key[item["key"]]["note"])
               != (item["result"], item["note"])]
    if changes:
        execute_core(_UPDATE_ITEM, [{"item_id": i["id"], "result": i["result"], "note": i["note"]}
                                    for i in changes])
        _keep_loaded_in_step(changes)
    return current


def _keep_loaded_in_step(changes: list[dict]) -> None:
    """An ItemResult the session holds shows the corrected values too (a later query in this transaction would
    hand back that object, not the row)."""
    for item in changes:
        loaded = db.session.identity_map.get(identity_key(ItemResult, item["id"]))
        if loaded is not None:
            set_committed_value(loaded, "result", item["result"])
            set_committed_value(loaded, "note", item["note"])


def add_revision(inspection: Inspection, **values) -> None:
    """Insert a revision; `inspection.revisions`, if loaded at all (a sign-off does not), is read again."""
    execute_core(_INSERT_REVISION, {"inspection_id": inspection.id, "reason": None, "published_at": None,
                                    **values})
    if "revisions" in inspection.__dict__:
        db.session.expire(inspection, ["revisions"])
