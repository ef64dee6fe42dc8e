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
from models import ChecklistItem, Department, Evidence, FollowUp, Inspection, ItemResult, Matter, Referral, Transfer
from services.errors import Conflict, ValidationFailed
from services.workflow import clock

ITEM_WORDS = {code: zh for code, zh, _ in results.ITEM_RESULTS}
HANDLING_WORDS = {code: zh for code, zh, _ in results.HANDLING}


def record_hash(data: dict) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def data_for(kind: str, inspection: Inspection, subject_id: int | None = None) -> dict:
    """The frozen data of a document of `kind`; a 移送函 or 移交函 is about one transfer or referral
    (`subject_id`, or the only one the inspection has)."""
    base = {"enterprise": {"name": inspection.enterprise.name, "uscc": inspection.enterprise.uscc,
                           "address": inspection.enterprise.address or ""},
            "campaign": {"code": inspection.campaign.code, "title": inspection.campaign.title},
            "inspected_on": inspection.inspected_on.isoformat() if inspection.inspected_on else None,
            "result": results.category(inspection.result_code).zh if inspection.result_code else None}
    if kind in SUBJECTS:
        return base | BUILDERS[kind](inspection, _subject(kind, inspection, subject_id))
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
    return {"problems": _problems(inspection), "deadline": order.deadline.isoformat() if order else None,
            "working_days": order.working_days if order else None}


def _result_notice(inspection: Inspection) -> dict:
    return {"published_on": clock.local_date(inspection.published_at).isoformat() if inspection.published_at else None,
            "handling": HANDLING_WORDS.get(inspection.handling) if inspection.handling else None,
            "departments": [d["department"] for d in _findings_by_department(inspection)]}


def _problems(inspection: Inspection) -> list[dict]:
    return [f | {"department": d["department"]} for d in _findings_by_department(inspection)
            for f in d["findings"] if f["failed"]]


def _reinspection_opinion(inspection: Inspection) -> dict:
    """After re-inspection: what was ordered, what the enterprise did, what the re-inspection found."""
    order = db.session.scalars(select(FollowUp).where(
        FollowUp.inspection_id == inspection.id, FollowUp.kind == "rectify", FollowUp.reinspection.is_not(None))
        .order_by(FollowUp.id.desc())).first()
    if order is None:
        raise Conflict("该企业尚未复查，不能出具整改复查意见书")
    return {"problems": _problems(inspection), "deadline": order.deadline.isoformat(),
            "rectification": order.rectification or "",
            "rectified_on": clock.local_date(order.rectified_at).isoformat() if order.rectified_at else None,
            "reinspection": order.reinspection, "rectified": bool(order.rectified),
            "conclusion": "整改到位，予以销号" if order.rectified else "未整改到位，依法转立案查处",
            "reinspected_on": clock.local_date(order.closed_at).isoformat() if order.closed_at else None}


def _case_transfer(inspection: Inspection, transfer: Transfer) -> dict:
    return {"subject_id": transfer.id, "authority": transfer.authority, "reason": transfer.reason or "",
            "sent_on": clock.local_date(transfer.sent_at).isoformat(), "problems": _problems(inspection)}


def _referral_letter(inspection: Inspection, referral: Referral) -> dict:
    proofs = db.session.scalars(select(Evidence).where(Evidence.id.in_([e.id for e in referral.evidence]))).all()
    return {"subject_id": referral.id, "from_department": referral.from_department.name,
            "to_department": referral.to_department.name, "finding": referral.finding,
            "due_on": referral.due_on.isoformat(), "created_on": clock.local_date(referral.created_at).isoformat(),
            "evidence": [{"name": e.original_name, "sha256": e.sha256} for e in proofs]}


def subjects(kind: str, inspection_id: int) -> list:
    """The transfers or referrals of an inspection a 移送函 / 移交函 can be about (empty for other kinds)."""
    if kind not in SUBJECTS:
        return []
    model = SUBJECTS[kind]
    return list(db.session.scalars(select(model).where(model.inspection_id == inspection_id).order_by(model.id)))


def _subject(kind: str, inspection: Inspection, subject_id: int | None):
    choices = subjects(kind, inspection.id)
    if not choices:
        raise Conflict("该企业没有移送记录，不能出具案件移送函" if kind == "case_transfer"
                       else "该企业没有移交记录，不能出具移交函")
    if subject_id is None and len(choices) == 1:
        return choices[0]
    found = next((c for c in choices if c.id == subject_id), None)
    if found is None:
        raise ValidationFailed({"subject_id": ["请选择文书对应的移送或移交记录"]})
    return found


SUBJECTS = {"case_transfer": Transfer, "referral_letter": Referral}
BUILDERS = {"inspection_record": _inspection_record, "rectification_order": _rectification_order,
            "result_notice": _result_notice, "reinspection_opinion": _reinspection_opinion,
            "case_transfer": _case_transfer, "referral_letter": _referral_letter}
