"""Evidence uploads (photos, PDFs): sniffed by content, size-limited, stored outside the web root by hash.

Every file of one upload is checked before any is written, and files written by a
failed upload are removed again, so a refused upload leaves nothing half-stored.
"""
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import exists, select

from extensions import db
from models import Campaign, Evidence, Inspection, Referral, User
from models.referral import referral_evidence
from services import audit
from services.org import scope
from services.workflow import clock
from services.errors import Forbidden, NotFound, ValidationFailed
from services.stages import theme_scope
from services.lookup import get_or_404

HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
KINDS = {"image/jpeg": "JPEG 图片", "image/png": "PNG 图片", "image/webp": "WebP 图片",
         "image/heic": "HEIC 图片", "application/pdf": "PDF 文件"}


def sniff(head: bytes) -> str | None:
    """The MIME type from the file's first bytes, or None when it is not an allowed kind."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


@dataclass(frozen=True)
class Upload:
    """One file as received: the item it belongs to (or None), its name and a readable stream."""
    item_id: int | None
    filename: str
    stream: object


def storage_dir() -> Path:
    return Path(current_app.config["EVIDENCE_DIR"])


def file_path(sha: str) -> Path:
    return _path(sha)


def _path(sha: str) -> Path:
    return storage_dir() / sha[:2] / sha


def _check(upload: Upload, limit: int) -> tuple[bytes, str]:
    name = upload.filename or "未命名文件"
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise ValidationFailed({"evidence": [f"文件“{name}”超过 {limit // (1024 * 1024)} MB 的大小限制，未保存"]},
                               "上传的文件过大，本次上传的文件均未保存")
    if not content:
        raise ValidationFailed({"evidence": [f"文件“{name}”是空文件"]}, "上传的文件为空，本次上传的文件均未保存")
    mime = sniff(content[:32])
    if mime is None:
        raise ValidationFailed({"evidence": [f"文件“{name}”不是允许的类型（仅限 JPEG/PNG/WebP/HEIC 图片或 PDF），"
                                             "按内容识别，与扩展名无关"]},
                               "文件类型不允许，本次上传的文件均未保存")
    return content, mime


def check_all(uploads: list[Upload], item_ids: set[int]) -> list[tuple[Upload, bytes, str]]:
    """Every file checked (item, size, kind by content) before any is written; raises on the first bad one."""
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    checked = []
    for upload in uploads:
        if upload.item_id is not None and upload.item_id not in item_ids:
            raise ValidationFailed({"evidence": ["证据对应的检查项不存在"]})
        checked.append((upload, *_check(upload, limit)))
    return checked


def write_all(checked: list[tuple[Upload, bytes, str]]) -> tuple[list[tuple[Upload, str, int, str]], list[Path]]:
    """Write checked files under their hashes: (upload, sha256, size, mime) for each, and the paths this call
    created (to remove again with `discard` if the caller's transaction fails). No officer involved: the
    enterprise portal stores its claim evidence through this too."""
    written: list[Path] = []
    stored = []
    try:
        for upload, content, mime in checked:
            sha = hashlib.sha256(content).hexdigest()
            if _write(sha, content):
                written.append(_path(sha))
            stored.append((upload, sha, len(content), mime))
    except BaseException:
        discard(written)
        raise
    return stored, written


def discard(written: list[Path]) -> None:
    for path in written:
        path.unlink(missing_ok=True)


def stored_name(upload: Upload) -> str:
    return os.path.basename(upload.filename)[:200]


def store(actor: User, inspection_id: int, uploads: list[Upload], follow_up_id: int | None = None) -> list[Evidence]:
    """Check every file, then write them all and record them; all or nothing. With follow_up_id the files are
    the proof of a rectification (same checks, same storage)."""
    inspection = get_or_404(Inspection, inspection_id, "检查记录不存在")
    if not _is_officer(actor, inspection):
        raise Forbidden("只有匹配到该企业的检查人员可以上传证据")
    uploads = [u for u in uploads if u.filename]
    checked = check_all(uploads, {i.id for i in theme_scope.revision_for(inspection).items})
    stored, written = write_all(checked)
    try:
        rows = [Evidence(inspection_id=inspection.id, checklist_item_id=upload.item_id, follow_up_id=follow_up_id,
                         sha256=sha, size=size,
                         mime=mime, original_name=stored_name(upload), uploaded_by_id=actor.id,
                         uploaded_at=clock.now()) for upload, sha, size, mime in stored]
        db.session.add_all(rows)
        db.session.flush()
        for row in rows:
            audit.record(actor, "evidence.upload", "evidence", row.id, campaign_id=inspection.campaign_id,
                         inspection_id=inspection.id, follow_up_id=follow_up_id, sha256=row.sha256, size=row.size,
                         mime=row.mime)
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard(written)
        raise
    return rows


def _write(sha: str, content: bytes) -> bool:
    """Write the file under its hash; False when identical content is already stored."""
    target = _path(sha)
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(tmp, target)  # atomic: a reader never sees half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def for_follow_up(follow_up_id: int) -> list[Evidence]:
    return list(db.session.scalars(select(Evidence).where(Evidence.follow_up_id == follow_up_id).order_by(Evidence.id)))


def for_inspection(inspection_id: int) -> dict[int | None, list[Evidence]]:
    rows = db.session.scalars(select(Evidence).where(Evidence.inspection_id == inspection_id,
                                                     Evidence.follow_up_id.is_(None)).order_by(Evidence.id))
    grouped: dict[int | None, list[Evidence]] = {}
    for row in rows:
        grouped.setdefault(row.checklist_item_id, []).append(row)
    return grouped


def _is_officer(user: User, inspection: Inspection) -> bool:
    return any(o.user_id == user.id for o in inspection.officers)


def can_view(user: User, evidence: Evidence) -> bool:
    inspection = db.session.get(Inspection, evidence.inspection_id)
    if user.has_role("supervisor") and scope.covers_campaign(user, db.session.get(Campaign, inspection.campaign_id)):
        return True
    if _is_officer(user, inspection):
        return True
    campaign = db.session.get(Campaign, inspection.campaign_id)
    if user.department_id is not None and user.department_id == campaign.lead_department_id:
        return True
    # A department that received a referral carrying this evidence may see it.
    return user.department_id is not None and db.session.scalar(select(exists().where(
        referral_evidence.c.evidence_id == evidence.id, referral_evidence.c.referral_id == Referral.id,
        Referral.to_department_id == user.department_id)))


def open_for(user: User, evidence_id: int) -> tuple[Evidence, Path]:
    """The evidence row and its file, for a user allowed to see it."""
    evidence = get_or_404(Evidence, evidence_id, "证据文件不存在")
    if not can_view(user, evidence):
        raise Forbidden("无权查看该证据文件")
    return opened(evidence)


def opened(row):
    """A file row (inspection evidence, an enterprise's claim or objection file) and its stored file, for a caller
    that has checked who may see it; a file gone from storage is not found."""
    path = _path(row.sha256)
    if not path.is_file():
        raise NotFound("证据文件已丢失")
    return row, path
