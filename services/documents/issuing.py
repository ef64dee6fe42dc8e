"""Issuing and voiding enforcement documents, and reading them back (HTML view, PDF).

Who issues: the campaign's lead department (an official or department admin) or an officer matched to the
inspection; the document is numbered for the issuer's department. What it says is frozen at issuance
(services.documents.records), so a later correction of the result never changes an issued document: issue a
new one and void the old with a reason. Who reads: the campaign's participating departments, supervisors,
admins and auditors. Every issuance and voiding is audited.
"""
from sqlalchemy import select

from extensions import db
from models import Campaign, CampaignDepartment, Department, Document, FollowUp, Inspection, User
from services import audit, auditor
from services.documents import numbering, records, render, signatures, templates
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.workflow import clock
from services.lookup import get_or_404


def issue(actor: User, inspection_id: int, kind: str, subject_id: int | None = None) -> Document:
    """Number and freeze a document; a 移送函 / 移交函 names its transfer or referral (`subject_id`)."""
    if kind not in numbering.KINDS:
        raise ValidationFailed({"kind": ["没有这种文书"]})
    inspection = _inspection(inspection_id)
    _require_issuer(actor, inspection)
    _require_ready(kind, inspection)
    data = records.data_for(kind, inspection, subject_id)
    template = templates.current(actor.department.region_id, kind)
    try:  # checked when saved; a document whose data the region's template cannot render is not issued
        templates.body_lines(templates.source_of(template.id if template else None, kind), data)
    except Exception as exc:
        raise Conflict("本区域的文书模板无法生成该文书，请管理员检查模板") from exc
    now = clock.now()
    year = clock.local_date(now).year
    sequence = numbering.next_sequence(actor.department_id, kind, year)
    number = numbering.format_number(numbering.prefix(actor.department_id), kind, year, sequence)
    document = Document(number=number, kind=kind, department_id=actor.department_id, year=year, sequence=sequence,
                        campaign_id=inspection.campaign_id, inspection_id=inspection.id,
                        enterprise_id=inspection.enterprise_id, data=data,
                        template_id=template.id if template else None,
                        template_version=template.version if template else 0, record_sha256=records.record_hash(data),
                        issued_at=now, issued_by_id=actor.id)
    db.session.add(document)
    db.session.flush()
    audit.record(actor, "document.issue", "document", document.id, campaign_id=inspection.campaign_id,
                 number=number, kind=kind, inspection_id=inspection.id, record_sha256=document.record_sha256,
                 template_version=document.template_version)
    db.session.commit()
    return document


def void(actor: User, document_id: int, reason: str) -> Document:
    document = get(actor, document_id)
    if actor.department_id != document.department_id or not actor.has_role("official", "department_admin"):
        raise Forbidden("只有出具文书的部门可以作废文书")
    if document.status == "voided":
        raise Conflict("该文书已作废")
    reason = (reason or "").strip()
    if not 4 <= len(reason) <= 500:
        raise ValidationFailed({"reason": ["请说明作废理由（4–500 字）"]})
    document.status, document.voided_at, document.voided_by_id, document.void_reason = \
        "voided", clock.now(), actor.id, reason
    audit.record(actor, "document.void", "document", document.id, campaign_id=document.campaign_id,
                 number=document.number, reason=reason)
    db.session.commit()
    return document


def get(actor: User, document_id: int) -> Document:
    document = get_or_404(Document, document_id, "文书不存在")
    _require_reader(actor, document.campaign_id)
    return document


def body(document: Document) -> list[str]:
    """The document's body as rendered by the template version it recorded."""
    return templates.body_lines(templates.source_of(document.template_id, document.kind), document.data)


def pdf(actor: User, document_id: int) -> tuple[Document, bytes]:
    document = get(actor, document_id)
    return document, pdf_of(document)


def pdf_of(document: Document) -> bytes:
    """The PDF of a document the caller has already been allowed to read."""
    authority = db.session.get(Department, document.department_id).name
    voided = document.void_reason if document.status == "voided" else None
    return render.render_pdf(document.number, document.kind, authority, document.issued_at, document.data,
                             body(document), document.record_sha256, voided, signatures.printed(document.id))


def for_inspection(actor: User, inspection_id: int) -> list[Document]:
    inspection = _inspection(inspection_id)
    _require_reader(actor, inspection.campaign_id)
    return list(db.session.scalars(select(Document).where(Document.inspection_id == inspection_id)
                                   .order_by(Document.id)))


def subjects(actor: User, inspection_id: int) -> dict[str, list[tuple[int, str]]]:
    """What a 移送函 / 移交函 of this inspection can be about, as (id, label) per kind, for the issuing form."""
    _require_reader(actor, _inspection(inspection_id).campaign_id)
    transfers = [(t.id, f"移送 {t.authority}") for t in records.subjects("case_transfer", inspection_id)]
    referrals = [(r.id, f"移交 {r.to_department.name}") for r in records.subjects("referral_letter", inspection_id)]
    return {"case_transfer": transfers, "referral_letter": referrals}


def _inspection(inspection_id: int) -> Inspection:
    return get_or_404(Inspection, inspection_id, "检查记录不存在")


def _require_issuer(actor: User, inspection: Inspection) -> None:
    lead = actor.department_id == inspection.campaign.lead_department_id and \
        actor.has_role("official", "department_admin")
    officer = any(o.user_id == actor.id for o in inspection.officers)
    if actor.department_id is None or not (lead or officer):
        raise Forbidden("只有牵头部门或该企业的检查人员可以出具文书")


def _require_ready(kind: str, inspection: Inspection) -> None:
    if inspection.status != "submitted":
        raise Conflict("检查记录尚未定稿签字，不能出具文书")
    if kind == "rectification_order" and db.session.scalar(select(FollowUp.id).where(
            FollowUp.inspection_id == inspection.id, FollowUp.kind == "rectify").limit(1)) is None:
        raise Conflict("该企业没有整改要求，不能出具责令改正通知书")
    if kind == "reinspection_opinion" and db.session.scalar(select(FollowUp.id).where(
            FollowUp.inspection_id == inspection.id, FollowUp.reinspection.is_not(None)).limit(1)) is None:
        raise Conflict("该企业尚未复查，不能出具整改复查意见书")
    if kind == "result_notice" and inspection.published_at is None:
        raise Conflict("检查结果尚未公示，不能出具检查结果告知书")


def _require_reader(actor: User, campaign_id: int | None) -> None:
    if actor.has_role("supervisor", "admin"):
        return
    if auditor.is_auditor(actor) and auditor.covers(actor, db.session.get(Campaign, campaign_id)):
        return
    taking_part = actor.department_id is not None and db.session.scalar(select(CampaignDepartment.department_id).where(
        CampaignDepartment.campaign_id == campaign_id, CampaignDepartment.department_id == actor.department_id,
        CampaignDepartment.status != "declined").limit(1)) is not None
    if not taking_part:
        raise Forbidden("只有参与该检查活动的部门可以查看其文书")
