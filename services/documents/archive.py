"""一户一档: one enterprise's file — every document issued about it and every piece of evidence of its
inspections — as a page and as a ZIP with a manifest (file, SHA-256, document number, date) that
scripts/verify_archive.py checks offline with the standard library alone.

Who may open it: supervisors, admins, auditors and officials whose region subtree holds the enterprise
(services.org.scope); what it holds is cut by the one participation rule (services.stages.participation): an
official gets the documents and evidence of the campaigns their department took part in, a supervisor those of
the campaigns of their regions. The download is audited.
"""
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass

from sqlalchemy import select

from extensions import db
from models import Document, Enterprise, Evidence, Inspection, User
from services import audit
from services.documents import issuing
from services.errors import Forbidden, NotFound
from services.org import scope
from services.stages import evidence as evidence_files
from services.stages import participation
from services.workflow import clock

MANIFEST = "manifest.json"
READERS = ("official", "department_admin", "supervisor", "admin", "auditor")


@dataclass(frozen=True)
class Archive:
    enterprise: Enterprise
    documents: list[Document]
    evidence: list[Evidence]


def of(actor: User, enterprise_id: int) -> Archive:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("企业不存在")
    if not actor.has_role(*READERS):
        raise Forbidden("无权查看企业档案")
    scope.require(actor, enterprise.region_id, "该企业不在您的管辖区域内")
    documents = list(db.session.scalars(select(Document).where(
        Document.enterprise_id == enterprise_id, participation.campaign_condition(actor, Document.campaign_id))
        .order_by(Document.issued_at, Document.id)))
    proofs = list(db.session.scalars(select(Evidence).join(Inspection, Inspection.id == Evidence.inspection_id).where(
        Inspection.enterprise_id == enterprise_id, participation.campaign_condition(actor, Inspection.campaign_id))
        .order_by(Evidence.id)))
    return Archive(enterprise, documents, proofs)


def zip_bytes(actor: User, enterprise_id: int) -> tuple[Enterprise, bytes]:
    """The ZIP: documents/<number>.pdf, evidence/<id>-<name>, and manifest.json listing each with its hash."""
    archive = of(actor, enterprise_id)
    entries, files = [], []
    for document in archive.documents:
        content = issuing.pdf_of(document)
        name = f"documents/{_safe(document.number)}.pdf"
        files.append((name, content))
        entries.append({"file": name, "sha256": _sha(content), "document_number": document.number,
                        "kind": document.kind, "status": document.status,
                        "date": clock.local_date(document.issued_at).isoformat()})
    for proof in archive.evidence:
        content = evidence_files.file_path(proof.sha256).read_bytes()
        name = f"evidence/{proof.id}-{_safe(proof.original_name)}"
        files.append((name, content))
        entries.append({"file": name, "sha256": proof.sha256, "document_number": None,
                        "date": clock.local_date(proof.uploaded_at).isoformat()})
    manifest = {"enterprise": {"name": archive.enterprise.name, "uscc": archive.enterprise.uscc},
                "generated_at": clock.to_local(clock.now()).isoformat(timespec="seconds"), "files": entries}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in files:
            out.writestr(name, content)
        out.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    audit.record(actor, "archive.download", "enterprise", enterprise_id, files=len(entries))
    db.session.commit()
    return archive.enterprise, buffer.getvalue()


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _safe(name: str) -> str:
    """A file name without path separators or control characters (the number and upload names are kept
    readable: Chinese is fine in a ZIP)."""
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name)[:120] or "file"
