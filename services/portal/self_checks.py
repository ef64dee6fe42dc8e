"""Self-check (企业自查): the enterprise goes through its industry's current checklist and answers each item.

Saved as the enterprise's own statement; the inspection task page shows the latest one to the officers as
context ("what the enterprise said of itself"), never as a finding or a substitute for inspecting.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from extensions import db
from models import ChecklistItem, ChecklistRevision, Enterprise, SelfCheck
from services import audit
from services.directory import catalogue
from services.errors import NotFound, ValidationFailed
from services.workflow import clock

RESULTS = ("pass", "fail", "na")


@dataclass(frozen=True)
class SelfCheckView:
    submitted_at: datetime
    revision_number: int
    answered: int
    failing: list[tuple[str, str | None]]   # (item text, the enterprise's note) of items it says it fails


def current_checklist(enterprise_id: int) -> ChecklistRevision | None:
    enterprise = db.session.get(Enterprise, enterprise_id)
    return catalogue.checklist(enterprise.industry_id)


def save(enterprise_id: int, answers: dict[int, str], notes: dict[int, str]) -> SelfCheck:
    revision = current_checklist(enterprise_id)
    if revision is None:
        raise NotFound("本行业尚无检查清单")
    items = {i.id for i in revision.items}
    errors = {}
    if set(answers) != items or any(v not in RESULTS for v in answers.values()):
        errors["answers"] = ["请逐项选择自查结果"]
    if any(len((v or "").strip()) > 500 for v in notes.values()):
        errors["notes"] = ["每项说明不超过 500 字"]
    if errors:
        raise ValidationFailed(errors)
    row = SelfCheck(enterprise_id=enterprise_id, revision_id=revision.id, submitted_at=clock.now(),
                    answers=[{"item_id": i.id, "result": answers[i.id], "note": (notes.get(i.id) or "").strip() or None}
                             for i in revision.items])
    db.session.add(row)
    db.session.flush()
    audit.record(None, "self_check.save", "self_check", row.id, enterprise_id=enterprise_id,
                 revision=revision.number, failing=sum(a["result"] == "fail" for a in row.answers))
    db.session.commit()
    return row


def latest(enterprise_id: int) -> SelfCheckView | None:
    row = db.session.scalars(select(SelfCheck).where(SelfCheck.enterprise_id == enterprise_id)
                             .order_by(SelfCheck.id.desc()).limit(1)).first()
    if row is None:
        return None
    revision = db.session.get(ChecklistRevision, row.revision_id)
    failing_ids = [a["item_id"] for a in row.answers if a["result"] == "fail"]
    texts = {item_id: text for item_id, text in db.session.execute(
        select(ChecklistItem.id, ChecklistItem.text).where(ChecklistItem.id.in_(failing_ids))).all()}
    notes = {a["item_id"]: a["note"] for a in row.answers}
    return SelfCheckView(row.submitted_at, revision.number, len(row.answers),
                         [(texts.get(i, ""), notes.get(i)) for i in failing_ids])
