"""会诊 opinions as they are shown: to the lead department deciding, in the diagnosis report, on the opinion form.

Queries only (no form handling), so the diagnosis form, the report and the opinion form share them without an
import cycle. An expert's signature is the SHA-256 of the canonical opinion (who, on what, what, when): anyone
holding the row can recompute it, and a later edit of the text shows.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from extensions import db
from models import DiagnosisOpinion, Enterprise, Expert, Inspection
from services.draw import stage as draw_stage


@dataclass(frozen=True)
class OpinionView:
    inspection_id: int
    author: str            # the department's name, or the expert's
    expert_field: str | None  # the expert's field (None for a department)
    opinion: str
    suggested_handling: str | None
    signature: str | None
    recorded_by: str
    recorded_at: datetime

    @property
    def is_expert(self) -> bool:
        return self.expert_field is not None


def signature(expert_id: int, inspection_id: int, opinion: str, suggested: str | None, at: datetime) -> str:
    canonical = json.dumps({"expert_id": expert_id, "inspection_id": inspection_id, "opinion": opinion,
                            "suggested_handling": suggested, "recorded_at": at.isoformat()},
                           ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def verifies(row: DiagnosisOpinion) -> bool:
    return row.expert_id is None or row.signature == signature(
        row.expert_id, row.inspection_id, row.opinion, row.suggested_handling, row.recorded_at)


def by_inspection(campaign_id: int) -> dict[int, list[OpinionView]]:
    """Every opinion of the campaign, per inspection: departments first, then experts, each in order given."""
    rows = db.session.scalars(select(DiagnosisOpinion).where(DiagnosisOpinion.campaign_id == campaign_id)
                              .order_by(DiagnosisOpinion.expert_id.is_not(None), DiagnosisOpinion.id)).all()
    out: dict[int, list[OpinionView]] = {}
    for row in rows:
        out.setdefault(row.inspection_id, []).append(_view(row))
    return out


def _view(row: DiagnosisOpinion) -> OpinionView:
    author = row.department.name if row.department else row.expert.name
    return OpinionView(row.inspection_id, author, row.expert.field if row.expert else None, row.opinion,
                       row.suggested_handling, row.signature, row.recorded_by.display_name, row.recorded_at)


def enterprise_names(inspection_ids) -> dict[int, str]:
    """Inspection id -> the enterprise's name, in inspection order (the report's headings)."""
    rows = db.session.execute(select(Inspection.id, Enterprise.name).join(Enterprise)
                              .where(Inspection.id.in_(list(inspection_ids))).order_by(Inspection.id))
    return {inspection_id: name for inspection_id, name in rows}


def drawn_experts(campaign_id: int, enterprise_ids: set[int]) -> list[Expert]:
    """The experts the campaign's draw matched to any of these enterprises."""
    draw = draw_stage.current_draw(campaign_id)
    ids = sorted({e for d in draw.enterprises if d.enterprise_id in enterprise_ids for e in (d.experts or [])}) \
        if draw else []
    return list(db.session.scalars(select(Expert).where(Expert.id.in_(ids)).order_by(Expert.id))) if ids else []
