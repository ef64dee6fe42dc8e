"""The enterprise representative's signature on a document, taken on site.

Two ways: signed on the officer's phone (the signature pad posts the drawing as a PNG), or a photo of the
signed paper uploaded by the officer. Either way the image goes through the evidence checks and storage
(services.stages.evidence: kind sniffed from the content, size limit, stored by SHA-256) and is recorded as
evidence of the inspection; the PDF prints the image with that hash next to the record's hash. Who records it:
an officer of the inspection or an official of the issuing department. A voided document takes no signature.
"""
import base64
import binascii
from io import BytesIO

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from extensions import db
from models import Document, DocumentSignature, Evidence, Inspection, User
from services import audit
from services.documents.render import Signature
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.stages import evidence
from services.workflow import clock

PNG_DATA_URL = "data:image/png;base64,"
IMAGE_KINDS = {"image/png", "image/jpeg"}   # what the PDF can embed


def sign_on_pad(actor: User, document_id: int, data_url: str, signer: str) -> DocumentSignature:
    """The pad's drawing (a `data:image/png;base64,…` URL) as the representative's signature."""
    data_url = data_url or ""
    if not data_url.startswith(PNG_DATA_URL):
        raise ValidationFailed({"signature": ["请在签名框内签字"]})
    try:
        content = base64.b64decode(data_url[len(PNG_DATA_URL):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed({"signature": ["签名图像无法识别，请重新签字"]}) from exc
    if _blank(content):
        raise ValidationFailed({"signature": ["签名为空，请在签名框内签字"]})
    return _record(actor, document_id, evidence.Upload(None, "现场签名.png", BytesIO(content)), signer, "pad")


def attach_photo(actor: User, document_id: int, upload: evidence.Upload, signer: str) -> DocumentSignature:
    """A photo (JPEG/PNG) of the paper document signed by the representative."""
    if not upload.filename:
        raise ValidationFailed({"photo": ["请选择签字文书的照片"]})
    return _record(actor, document_id, upload, signer, "photo")


def _blank(content: bytes) -> bool:
    """True when the PNG has no visible stroke (a pad submitted untouched)."""
    try:
        image = Image.open(BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationFailed({"signature": ["签名图像无法识别，请重新签字"]}) from exc
    alpha = image.convert("RGBA").getchannel("A")
    return alpha.getbbox() is None


def _record(actor: User, document_id: int, upload: evidence.Upload, signer: str, method: str) -> DocumentSignature:
    document = _signable(actor, document_id)
    signer = (signer or "").strip()
    if not 2 <= len(signer) <= 50:
        raise ValidationFailed({"signer": ["请填写签字人姓名（2–50 字）"]})
    [(upload, content, mime)] = evidence.check_all([upload], set())
    if mime not in IMAGE_KINDS:
        raise ValidationFailed({"photo": ["签字照片须为 JPEG 或 PNG 图片"]}, "文件类型不允许，未保存")
    stored, written = evidence.write_all([(upload, content, mime)])
    try:
        [(upload, sha, size, mime)] = stored
        now = clock.now()
        proof = Evidence(inspection_id=document.inspection_id, sha256=sha, size=size, mime=mime,
                         original_name=evidence.stored_name(upload), uploaded_by_id=actor.id, uploaded_at=now)
        db.session.add(proof)
        db.session.flush()
        signature = DocumentSignature(document_id=document.id, evidence_id=proof.id, method=method,
                                      signer_name=signer, signed_at=now, recorded_by_id=actor.id)
        db.session.add(signature)
        db.session.flush()
        audit.record(actor, "document.sign", "document", document.id, campaign_id=document.campaign_id,
                     number=document.number, method=method, evidence_id=proof.id, sha256=sha,
                     inspection_id=document.inspection_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        evidence.discard(written)
        raise
    return signature


def _signable(actor: User, document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound("文书不存在")
    inspection = db.session.get(Inspection, document.inspection_id)
    officer = any(o.user_id == actor.id for o in inspection.officers)
    issuer = actor.department_id == document.department_id and actor.has_role("official", "department_admin")
    if not (officer or issuer):
        raise Forbidden("只有该企业的检查人员或出具文书的部门可以登记签字")
    if document.status == "voided":
        raise Conflict("该文书已作废，不能签字")
    return document


def for_document(document_id: int) -> list[tuple[DocumentSignature, Evidence]]:
    return list(db.session.execute(select(DocumentSignature, Evidence).join(
        Evidence, Evidence.id == DocumentSignature.evidence_id).where(DocumentSignature.document_id == document_id)
        .order_by(DocumentSignature.id)).all())


def printed(document_id: int) -> list[Signature]:
    """The signatures as the PDF prints them (a missing file is an error, not a silently unsigned document)."""
    return [Signature(image=evidence.file_path(proof.sha256).read_bytes(), method=signature.method,
                      signer=signature.signer_name,
                      signed_at=clock.to_local(signature.signed_at).isoformat(" ", "minutes"), sha256=proof.sha256)
            for signature, proof in for_document(document_id)]
