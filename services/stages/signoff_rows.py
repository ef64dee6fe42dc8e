"""A sign-off's writes through Core (services/stages/inspections.record_inspection): the inspection's columns,
the sign-off, the countersign's corrected item results and the first revision, one statement each, with the
loaded objects left as a flush would have left them. The completion then gives the ORM's unit of work nothing
to flush: its fixed cost (sorting dependencies, visiting every loaded related object: officers, sign-offs,
items) was about a fifth of a completion, for two or three rows.
"""
from functools import cache

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from extensions import db
from models import Inspection, InspectionRevision, InspectionSignoff, ItemResult

_inspections, _items = Inspection.__table__, ItemResult.__table__
# Built once (building a statement costs more CPU than running it).
_INSERT_SIGNOFF = insert(InspectionSignoff.__table__).returning(InspectionSignoff.__table__.c.id)
_UPDATE_ITEM = (update(_items).where(_items.c.id == bindparam("item_id"))
                .values(result=bindparam("result"), note=bindparam("note")))
_INSERT_REVISION = insert(InspectionRevision.__table__)


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
            db.session.execute(_update_statement(frozenset(self)), {**self, "inspection_id": self.inspection.id})
            self.clear()


@cache
def _update_statement(names: frozenset[str]):
    """An UPDATE of these columns (a first signature and a countersign each set their own few), built once."""
    return (update(_inspections).where(_inspections.c.id == bindparam("inspection_id"))
            .values({name: bindparam(name) for name in sorted(names)}))


def add_signoff(inspection: Inspection, **values) -> InspectionSignoff:
    """Insert the sign-off and show it in `inspection.signoffs` as if loaded: the two-officer count and the
    countersign task's assignment (services/workflow/assignment.py) read that collection later on.

    The object is detached, not in the session: nothing is pending for a flush, and a rollback (which expires
    the collection) leaves no object behind for a row that was never kept. Only its columns are read (the
    collection is read afresh after the commit)."""
    row_id = db.session.execute(_INSERT_SIGNOFF, {"inspection_id": inspection.id, **values}).scalar_one()
    signoff = InspectionSignoff(id=row_id, inspection_id=inspection.id, **values)
    make_transient_to_detached(signoff)
    set_committed_value(inspection, "signoffs", [*inspection.signoffs, signoff])
    return signoff


def correct_items(inspection: Inspection, rows: list[dict]) -> bool:
    """The countersign's corrections of the recorded item results: the changed ones in one UPDATE. False (and
    nothing written) when the rows are not the recorded items one for one; the caller applies them through the
    ORM then, which also adds and removes rows."""
    existing = {r.checklist_item_id: r for r in inspection.item_results}
    if len(rows) != len(existing) or {row["key"] for row in rows} != set(existing):
        return False
    changes = [(existing[row["key"]], row["result"], row.get("note")) for row in rows
               if (existing[row["key"]].result, existing[row["key"]].note) != (row["result"], row.get("note"))]
    if changes:
        db.session.execute(_UPDATE_ITEM, [{"item_id": item.id, "result": result, "note": note}
                                          for item, result, note in changes])
        for item, result, note in changes:
            set_committed_value(item, "result", result)
            set_committed_value(item, "note", note)
    return True


def add_revision(inspection: Inspection, **values) -> None:
    """Insert a revision; `inspection.revisions`, if loaded at all (a sign-off does not), is read again."""
    db.session.execute(_INSERT_REVISION, {"inspection_id": inspection.id, "reason": None, "published_at": None,
                                          **values})
    if "revisions" in inspection.__dict__:
        db.session.expire(inspection, ["revisions"])
