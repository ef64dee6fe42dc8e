"""What a document says: the recorded data of its inspection, frozen into the document when it is issued.

Each kind takes what the tables hold (enterprise, campaign, every department's findings, sign-offs, the
rectification order) as plain JSON; `record_hash` is the SHA-256 of that JSON in one canonical form, printed
on the PDF, so a paper copy can be checked against the platform and the archive.
"""
import hashlib
import json

from sqlalchemy import select

from domain import results
from extensions import db
from models import ChecklistItem, Department, FollowUp, Inspection, ItemResult, Matter
from services.workflow import clock

ITEM_WORDS = {code: zh for code, zh, _ in results.ITEM_RESULTS}
HANDLING_WORDS = {code: zh for code, zh, _ in results.HANDLING}


def record_hash(data: dict) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def data_for(kind: str, inspection: Inspection) -> dict:
    base = {"enterprise": {"name": inspection.enterprise.name, "uscc": inspection.enterprise.uscc,
                           "address": inspection.enterprise.address or ""},
            "campaign": {"code": inspection.campaign.code, "title": inspection.campaign.title},
            "inspected_on": inspection.inspected_on.isoformat() if inspection.inspected_on else None,
            "result": results.category(inspection.result_code).zh if inspection.result_code else None}
    return base | BUILDERS[kind](inspection)


def _findings_by_department(inspection: Inspection) -> list[dict]:
    rows = db.session.execute(
        select(Department.name, ChecklistItem.position, ChecklistItem.text, Matter.name, Matter.legal_basis,
               ItemResult.result, ItemResult.note)
        .join(ChecklistItem, ChecklistItem.id == ItemResult.checklist_item_id)
        .join(Matter, Matter.id == ChecklistItem.matter_id).join(Department, Department.id == Matter.department_id)
        .where(ItemResult.inspection_id == inspection.id).order_by(Department.name, ChecklistItem.position)).all()
    departments: dict[str, list] = {}
    for department, _, text, matter, basis, result, note in rows:
        departments.setdefault(department, []).append(
            {"item": text, "matter": matter, "legal_basis": basis, "result": ITEM_WORDS.get(result, result),
             "failed": result == "fail", "note": note or ""})
    return [{"department": name, "findings": findings} for name, findings in departments.items()]


def _inspection_record(inspection: Inspection) -> dict:
    return {"method": inspection.method, "summary": inspection.summary or "",
            "departments": _findings_by_department(inspection),
            "officers": [{"name": o.user.display_name, "department": o.department.name, "cert_no": o.user.cert_no or ""}
                         for o in inspection.officers],
            "signoffs": [{"name": s.user.display_name, "signed_at": clock.to_local(s.signed_at).isoformat(" ", "minutes")}
                         for s in sorted(inspection.signoffs, key=lambda s: s.signed_at)]}


def _rectification_order(inspection: Inspection) -> dict:
    order = db.session.scalars(select(FollowUp).where(FollowUp.inspection_id == inspection.id,
                                                      FollowUp.kind == "rectify").order_by(FollowUp.id)).first()
    problems = [f | {"department": d["department"]} for d in _findings_by_department(inspection)
                for f in d["findings"] if f["failed"]]
    return {"problems": problems, "deadline": order.deadline.isoformat() if order else None,
            "working_days": order.working_days if order else None}


def _result_notice(inspection: Inspection) -> dict:
    return {"published_on": clock.local_date(inspection.published_at).isoformat() if inspection.published_at else None,
            "handling": HANDLING_WORDS.get(inspection.handling) if inspection.handling else None,
            "departments": [d["department"] for d in _findings_by_department(inspection)]}


BUILDERS = {"inspection_record": _inspection_record, "rectification_order": _rectification_order,
            "result_notice": _result_notice}
