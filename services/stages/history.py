"""A campaign's history as people read it: who did what to which enterprise, grouped by day.

The audit trail stores codes and ids (`inspection.sign`, `inspection #12`); this module resolves them
to the names a reader knows (the enterprise, the department, the task) and folds runs of the same
act into one line ("签字确认了 A、B 等 5 户企业"). Turning an entry into a sentence in the page's language
is the web layer's job (web/campaigns/history.py); no code or id reaches the page.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from extensions import db
from models import (AuditRecord, Campaign, CampaignDepartment, CampaignStage, Case, Enterprise, Evidence, FollowUp,
                    HumanTask, Inspection, Referral, Transfer, User)
from services.workflow import clock

# Personal bookkeeping, not the campaign's history.
HIDDEN = {"notification.read", "notification.read_all"}
# Records whose object leads to one inspection (and so to one enterprise) through a row.
_INSPECTION_OF = {"follow_up": FollowUp, "referral": Referral, "transfer": Transfer, "evidence": Evidence,
                  "enforcement_case": Case, "human_task": HumanTask}
# A completed form writes its own, more specific record in the same transaction (e.g. inspection.sign),
# so "task.complete" is only shown when nothing more specific stands beside it.
_GENERIC = "task.complete"


@dataclass
class Entry:
    at: datetime
    actor: str | None            # display name; None: the system (a timer, the draw)
    action: str                  # the audit code: the web layer's key to a sentence, never shown
    enterprises: list[str] = field(default_factory=list)
    department: str | None = None
    task: str | None = None
    stage: str | None = None
    link: tuple[str, int] | None = None   # ("inspection", id), ("task", id), ("draw", campaign id) …
    count: int = 1               # how many records this line stands for


@dataclass
class Day:
    day: date
    entries: list[Entry]


def campaign_history(campaign: Campaign) -> list[Day]:
    records = [r for r in db.session.scalars(select(AuditRecord).where(AuditRecord.campaign_id == campaign.id)
                                             .order_by(AuditRecord.id)) if r.action not in HIDDEN]
    records = [r for i, r in enumerate(records) if not _redundant(r, records, i)]
    lookup = _Lookup(records)
    entries = _fold([lookup.entry(r) for r in records])
    days: list[Day] = []
    for entry in entries:
        day = clock.local_date(entry.at)
        if not days or days[-1].day != day:
            days.append(Day(day, []))
        days[-1].entries.append(entry)
    return days


def _redundant(record: AuditRecord, records: list[AuditRecord], i: int) -> bool:
    if record.action != _GENERIC:
        return False
    near = records[max(i - 3, 0):i] + records[i + 1:i + 4]
    return any(o.actor_id == record.actor_id and o.action != _GENERIC and not o.action.startswith("task.")
               and abs((o.at - record.at).total_seconds()) < 5 for o in near)


def _fold(entries: list[Entry]) -> list[Entry]:
    """Consecutive lines of the same person doing the same act on a day become one line."""
    folded: list[Entry] = []
    for entry in entries:
        last = folded[-1] if folded else None
        if (last and last.actor == entry.actor and last.action == entry.action and last.task == entry.task
                and last.department == entry.department and last.stage == entry.stage
                and clock.local_date(last.at) == clock.local_date(entry.at)):
            last.count += 1
            last.enterprises += [e for e in entry.enterprises if e not in last.enterprises]
            if last.link != entry.link:
                last.link = None if last.link and last.link[0] != "draw" else last.link
            continue
        folded.append(entry)
    return folded


class _Lookup:
    """Names for every id the records mention, fetched in a few IN queries."""

    def __init__(self, records: list[AuditRecord]):
        self.actors = self._names(User, User.display_name, {r.actor_id for r in records if r.actor_id})
        self.via: dict[tuple[str, int], object] = {}
        for object_type, model in _INSPECTION_OF.items():
            ids = {r.object_id for r in records if r.object_type == object_type}
            if ids:
                self.via.update({(object_type, row.id): row for row in
                                 db.session.scalars(select(model).where(model.id.in_(ids)))})
        inspection_ids = {r.object_id for r in records if r.object_type == "inspection"}
        inspection_ids |= {getattr(row, "inspection_id", None) for row in self.via.values()} - {None}
        for r in records:
            inspection_ids |= set((r.detail or {}).get("inspection_ids") or [])
            if (r.detail or {}).get("inspection_id"):
                inspection_ids.add(r.detail["inspection_id"])
        self.inspections = dict(db.session.execute(
            select(Inspection.id, Enterprise.name).join(Enterprise, Enterprise.id == Inspection.enterprise_id)
            .where(Inspection.id.in_(inspection_ids))).all()) if inspection_ids else {}
        enterprise_ids = {(r.detail or {}).get("enterprise_id") for r in records} - {None}
        self.enterprises = self._names(Enterprise, Enterprise.name, enterprise_ids)
        part_ids = {r.object_id for r in records if r.object_type == "campaign_department"}
        self.parts = {p.id: p.department.name for p in db.session.scalars(
            select(CampaignDepartment).where(CampaignDepartment.id.in_(part_ids)))} if part_ids else {}
        stage_ids = {r.object_id for r in records if r.object_type == "campaign_stage"}
        self.stages = dict(db.session.execute(select(CampaignStage.id, CampaignStage.stage)
                                              .where(CampaignStage.id.in_(stage_ids))).all()) if stage_ids else {}

    @staticmethod
    def _names(model, column, ids: set) -> dict:
        if not ids:
            return {}
        return dict(db.session.execute(select(model.id, column).where(model.id.in_(ids))).all())

    def entry(self, r: AuditRecord) -> Entry:
        detail = r.detail or {}
        entry = Entry(at=r.at, actor=self.actors.get(r.actor_id) if r.actor_id else None, action=r.action)
        row = self.via.get((r.object_type, r.object_id))
        inspection_ids = list(detail.get("inspection_ids") or [])
        if r.object_type == "inspection":
            inspection_ids = [r.object_id]
        elif row is not None and getattr(row, "inspection_id", None):
            inspection_ids = [row.inspection_id]
        elif detail.get("inspection_id"):
            inspection_ids = [detail["inspection_id"]]
        entry.enterprises = [self.inspections[i] for i in inspection_ids if i in self.inspections]
        if not entry.enterprises and detail.get("enterprise_id") in self.enterprises:
            entry.enterprises = [self.enterprises[detail["enterprise_id"]]]
        if isinstance(row, HumanTask):
            entry.task = row.title
            entry.link = ("task", row.id)
        elif isinstance(row, Referral):
            entry.department = row.to_department.name
        elif isinstance(row, Case):
            entry.link = ("case", row.id)
        if r.object_type == "campaign_department":
            entry.department = self.parts.get(r.object_id)
        if detail.get("department") and entry.department is None:  # a 督办 reminder names its department
            entry.department = detail["department"]
        if r.object_type == "campaign_stage":
            entry.stage = self.stages.get(r.object_id) or detail.get("stage")
        elif r.action == "campaign.stage":  # a targeted inspection's stage set by its handling and case
            entry.stage = detail.get("stage")
        if len(inspection_ids) == 1 and entry.link is None:
            entry.link = ("inspection", inspection_ids[0])
        if r.action.startswith("draw."):
            entry.link = ("draw", r.campaign_id)
        elif r.action == "diagnosis.record":
            entry.link = ("diagnosis", r.campaign_id)
        elif r.action.startswith("publication.") and entry.link is None:
            entry.link = ("publication", r.campaign_id)
        return entry
