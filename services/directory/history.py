"""History of the enterprise directory: what an enterprise was called, where, in which status, and when.

A re-import may rename an enterprise, move it, or mark it deregistered. Closed and published campaigns must
keep showing what was true when they published or drew (a public record is never rewritten silently), and the
audit must say which enterprise changed from what to what, by whom, from which file. Imports change thousands
of rows in one statement, so versions are written the same way: set-based, from the import's staging table,
before the update that applies it.
"""
from collections import defaultdict
from datetime import datetime
from typing import Iterable

from sqlalchemy import DateTime, Integer, exists, insert, literal, or_, select

from extensions import db
from models import DirectoryImport, Enterprise, EnterpriseVersion, User
from services.workflow import clock

# valid_from of the values an enterprise had before its first recorded change: "since before we kept history".
BASELINE = datetime(2000, 1, 1)
TRACKED = ("name", "address", "status")
# The import's audit record lists this many changes in full (ids, old and new); the versions hold every one.
AUDIT_CHANGES = 1000


def begin_import(actor: User, kind: str, filename: str) -> DirectoryImport:
    row = DirectoryImport(kind=kind, filename=filename[:255], actor_id=actor.id, at=clock.now())
    db.session.add(row)
    db.session.flush()
    return row


def version_staged_changes(staging, import_row: DirectoryImport, actor: User) -> tuple[list[dict], int]:
    """Before an import updates the directory from `staging` (columns uscc, row_no and the TRACKED ones):
    write a version for every enterprise whose name, address or status changes, and a baseline version of its
    old values if it had none. Returns the first AUDIT_CHANGES changes (id, USCC, old/new per field) and the
    total count."""
    e, v = Enterprise.__table__, EnterpriseVersion.__table__
    pair = staging.join(e, e.c.uscc == staging.c.uscc)
    changed = or_(*[e.c[f].is_distinct_from(staging.c[f]) for f in TRACKED])
    columns = ["enterprise_id", *TRACKED, "valid_from", "changed_by_id", "import_id"]
    total = db.session.scalar(select(db.func.count()).select_from(pair).where(changed)) or 0
    if not total:
        return [], 0
    changes = []
    for row in db.session.execute(select(e.c.id, e.c.uscc, *[e.c[f] for f in TRACKED], *[staging.c[f] for f in TRACKED])
                                  .select_from(pair).where(changed).order_by(staging.c.row_no).limit(AUDIT_CHANGES)):
        old, new = row[2:2 + len(TRACKED)], row[2 + len(TRACKED):]
        changes.append({"enterprise_id": row[0], "uscc": row[1],
                        **{f: [o, n] for f, o, n in zip(TRACKED, old, new) if o != n}})
    no_history = ~exists().where(v.c.enterprise_id == e.c.id)
    db.session.execute(insert(v).from_select(columns, select(
        e.c.id, *[e.c[f] for f in TRACKED], literal(BASELINE, DateTime), literal(None, Integer),
        literal(None, Integer)).select_from(pair).where(changed, no_history)))
    db.session.execute(insert(v).from_select(columns, select(
        e.c.id, *[staging.c[f] for f in TRACKED], literal(import_row.at, DateTime), literal(actor.id, Integer),
        literal(import_row.id, Integer)).select_from(pair).where(changed)))
    return changes, total


def names_as_of(wanted: Iterable[tuple[int, datetime | None]]) -> dict[tuple[int, datetime | None], str]:
    """The name each (enterprise id, moment) pair had at that moment, for enterprises whose name has a history;
    pairs missing from the answer never changed (their current name is the name they had)."""
    wanted = list(wanted)
    ids = {enterprise_id for enterprise_id, _ in wanted}
    if not ids:
        return {}
    versions = defaultdict(list)
    for enterprise_id, valid_from, name in db.session.execute(
            select(EnterpriseVersion.enterprise_id, EnterpriseVersion.valid_from, EnterpriseVersion.name)
            .where(EnterpriseVersion.enterprise_id.in_(ids))
            .order_by(EnterpriseVersion.enterprise_id, EnterpriseVersion.valid_from, EnterpriseVersion.id)):
        versions[enterprise_id].append((valid_from, name))
    answer = {}
    for enterprise_id, at in wanted:
        name = None
        for valid_from, version_name in versions.get(enterprise_id, ()):
            if at is not None and valid_from > at:
                break
            name = version_name
        if name is not None and enterprise_id in versions:
            answer[(enterprise_id, at)] = name
    return answer


def had_name(text: str):
    """A condition on Enterprise: some version of its name contains `text` (the public search finds a result
    published under a former name)."""
    return exists().where(EnterpriseVersion.enterprise_id == Enterprise.id,
                          EnterpriseVersion.name.contains(text, autoescape=True))


def versions_of(enterprise_id: int) -> list[EnterpriseVersion]:
    return list(db.session.scalars(select(EnterpriseVersion).where(EnterpriseVersion.enterprise_id == enterprise_id)
                                   .order_by(EnterpriseVersion.valid_from, EnterpriseVersion.id)))


def changes_of(enterprise_id: int) -> list[tuple[EnterpriseVersion, str | None, str | None]]:
    """The enterprise's versions, newest first, each with who wrote it and from which file (None: the values
    it had before its first recorded change)."""
    return [(version, actor, filename) for version, actor, filename in db.session.execute(
        select(EnterpriseVersion, User.display_name, DirectoryImport.filename)
        .outerjoin(User, User.id == EnterpriseVersion.changed_by_id)
        .outerjoin(DirectoryImport, DirectoryImport.id == EnterpriseVersion.import_id)
        .where(EnterpriseVersion.enterprise_id == enterprise_id)
        .order_by(EnterpriseVersion.valid_from.desc(), EnterpriseVersion.id.desc()))]
