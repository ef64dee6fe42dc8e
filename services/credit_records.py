"""信用归集: inspection results, handling decisions and penalties as credit records, by date window.

One row per record, in the format documented in docs/credit-records.md: which record, the enterprise's USCC and
name, the authority, the matter, the record's date (Beijing), the result, the decision and the document number.
A record's date is when it came into being (published / decided / the case closed with its penalty), so
exporting consecutive windows [start, end] hands every record over exactly once (incremental). CSV and XLSX
go through services/exports.py (inert cells); JSON carries the values verbatim for machines.
"""
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from domain import results
from extensions import db
from models import (Campaign, Case, ChecklistItem, Department, Document, Enterprise, HandlingDecision, Inspection,
                    InspectionOfficer, ItemResult, LeniencyGrant, Matter, User)
from services import audit
from services.reading import read_only
from services.errors import Forbidden, ValidationFailed
from services.org import scope
from services.workflow import clock

COLUMNS = (("record_id", "记录编号"), ("record_type", "记录类型"), ("uscc", "统一社会信用代码"),
           ("enterprise_name", "企业名称"), ("authority", "实施机关"), ("matter", "事项"), ("record_date", "日期"),
           ("result", "结果"), ("decision", "决定"), ("document_no", "文书编号"))
HEADER = [zh for _, zh in COLUMNS]
TYPES = {"inspection_result": "检查结果", "handling_decision": "处置决定", "penalty": "行政处罚"}
HANDLING = {code: zh for code, zh, _ in results.HANDLING}
MAX_DAYS = 366


@dataclass(frozen=True)
class CreditRecord:
    record_id: str
    record_type: str
    uscc: str
    enterprise_name: str
    authority: str
    matter: str
    record_date: str
    result: str
    decision: str
    document_no: str

    def row(self) -> list[str]:
        values = asdict(self)
        return [TYPES[values[key]] if key == "record_type" else values[key] for key, _ in COLUMNS]


def window(start: str | None, end: str | None) -> tuple[date, date]:
    """The [start, end] Beijing dates of an export, or a Chinese error naming the field."""
    errors, parsed = {}, {}
    for name, raw in (("start", start), ("end", end)):
        try:
            parsed[name] = date.fromisoformat((raw or "").strip())
        except ValueError:
            errors[name] = ["请填写日期（YYYY-MM-DD）"]
    if not errors and parsed["end"] < parsed["start"]:
        errors["end"] = ["截止日期不能早于起始日期"]
    elif not errors and (parsed["end"] - parsed["start"]).days >= MAX_DAYS:
        errors["end"] = [f"一次最多导出 {MAX_DAYS} 天，请分段导出"]
    if errors:
        raise ValidationFailed(errors)
    return parsed["start"], parsed["end"]


def export(actor: User, start: str | None, end: str | None) -> tuple[tuple[date, date], list[CreditRecord]]:
    """The supervisor's (or admin's) records of their regions within the window; the export is audited."""
    if not actor.has_role("supervisor", "admin"):
        raise Forbidden("只有联席会办公室或系统管理员可以导出信用归集数据")
    first, last = window(start, end)
    records = _records(actor, first, last)
    audit.record(actor, "credit.export", "user", actor.id, start=first.isoformat(), end=last.isoformat(),
                 rows=len(records))
    db.session.commit()
    return (first, last), records


@read_only
def _records(actor: User, first: date, last: date) -> list[CreditRecord]:
    """The read (replica when configured); the audit record of the export is written on the primary after it."""
    since, until = _utc_bounds(first, last)
    campaigns = select(Campaign.id).where(scope.campaign_clause(actor))
    records = (_results(campaigns, since, until) + _decisions(campaigns, since, until)
               + _penalties(actor, since, until))
    records.sort(key=lambda r: (r.record_date, r.record_type, r.record_id))
    return records


def _utc_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Stored times are naive UTC; a Beijing day starts at 16:00 UTC the day before."""
    start = datetime(first.year, first.month, first.day) - clock.BEIJING_OFFSET
    return start, datetime(last.year, last.month, last.day) - clock.BEIJING_OFFSET + timedelta(days=1)


def _documents(kind: str, inspection_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(select(Document.inspection_id, Document.number).where(
        Document.kind == kind, Document.status == "issued", Document.inspection_id.in_(inspection_ids))
        .order_by(Document.id))
    return {inspection_id: number for inspection_id, number in rows}


def _campaign_matters(campaign_ids) -> dict[int, str]:
    out = {}
    for campaign in db.session.scalars(select(Campaign).where(Campaign.id.in_(list(campaign_ids)))):
        out[campaign.id] = "、".join(m.name for m in campaign.matters)
    return out


def _results(campaigns, since: datetime, until: datetime) -> list[CreditRecord]:
    rows = db.session.execute(select(Inspection, Enterprise).join(Enterprise).where(
        Inspection.campaign_id.in_(campaigns), Inspection.published_at >= since, Inspection.published_at < until)
        .order_by(Inspection.id)).all()
    ids = [i.id for i, _ in rows]
    authorities: dict[int, list[str]] = {}
    for inspection_id, name in db.session.execute(select(InspectionOfficer.inspection_id, Department.name).join(
            Department, Department.id == InspectionOfficer.department_id)
            .where(InspectionOfficer.inspection_id.in_(ids)).distinct().order_by(Department.name)):
        authorities.setdefault(inspection_id, []).append(name)
    matters = _campaign_matters({i.campaign_id for i, _ in rows})
    notices = _documents("result_notice", ids)
    return [CreditRecord(f"R{i.id}", "inspection_result", e.uscc, e.name, "、".join(authorities.get(i.id, [])),
                         matters.get(i.campaign_id, ""), clock.local_date(i.published_at).isoformat(),
                         f"{i.result_code} {results.category(i.result_code).zh}", "", notices.get(i.id, ""))
            for i, e in rows]


def _failed_matters(inspection_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for inspection_id, name in db.session.execute(select(ItemResult.inspection_id, Matter.name)
            .join(ChecklistItem, ChecklistItem.id == ItemResult.checklist_item_id)
            .join(Matter, Matter.id == ChecklistItem.matter_id)
            .where(ItemResult.inspection_id.in_(inspection_ids), ItemResult.result == "fail")
            .distinct().order_by(ItemResult.inspection_id, Matter.name)):
        out.setdefault(inspection_id, []).append(name)
    return out


def _decisions(campaigns, since: datetime, until: datetime) -> list[CreditRecord]:
    rows = db.session.execute(select(HandlingDecision, Enterprise, Department.name)
        .join(Enterprise, Enterprise.id == HandlingDecision.enterprise_id)
        .join(Campaign, Campaign.id == HandlingDecision.campaign_id)
        .join(Department, Department.id == Campaign.lead_department_id)
        .where(HandlingDecision.campaign_id.in_(campaigns), HandlingDecision.handling != "none",
               HandlingDecision.decided_at >= since, HandlingDecision.decided_at < until)
        .order_by(HandlingDecision.id)).all()
    ids = [d.inspection_id for d, _, _ in rows]
    matters = _failed_matters(ids)
    orders = _documents("rectification_order", ids)
    bases = {g.inspection_id: g.legal_basis for g in db.session.scalars(
        select(LeniencyGrant).where(LeniencyGrant.inspection_id.in_(ids)))}
    out = []
    for decision, enterprise, authority in rows:
        text = HANDLING[decision.handling] + (f"（依据：{bases[decision.inspection_id]}）"
                                              if decision.inspection_id in bases else "")
        out.append(CreditRecord(f"D{decision.id}", "handling_decision", enterprise.uscc, enterprise.name, authority,
                                "、".join(matters.get(decision.inspection_id, [])),
                                clock.local_date(decision.decided_at).isoformat(),
                                f"{decision.grade} 级" if decision.grade else "", text,
                                orders.get(decision.inspection_id, "")))
    return out


def _penalties(actor: User, since: datetime, until: datetime) -> list[CreditRecord]:
    """Closed cases with a penalty amount, of the actor's regions (a case outside a campaign counts too)."""
    query = (select(Case, Enterprise, Department.name, Matter.name)
             .join(Enterprise, Enterprise.id == Case.enterprise_id)
             .join(Department, Department.id == Case.department_id)
             .outerjoin(Matter, Matter.id == Case.matter_id)
             .where(Case.status == "closed", Case.penalty_amount.is_not(None),
                    Case.closed_at >= since, Case.closed_at < until).order_by(Case.id))
    if not scope.is_platform_wide(actor):
        query = query.where(scope.clause(actor, Department.region_id))
    return [CreditRecord(f"P{case.id}", "penalty", enterprise.uscc, enterprise.name, authority, matter or "",
                         clock.local_date(case.closed_at).isoformat(),
                         "一般程序" if case.procedure == "general" else "简易程序",
                         f"罚没 {case.penalty_amount} 元", case.case_no)
            for case, enterprise, authority, matter in db.session.execute(query)]


def as_json(span: tuple[date, date], records: list[CreditRecord]) -> dict:
    return {"format": "yiye-yicha.credit-records/1", "start": span[0].isoformat(), "end": span[1].isoformat(),
            "count": len(records), "records": [asdict(r) for r in records]}
