"""Audit checkpoints: the chain head (sequence, hash, time) published where the database administrator cannot reach.

A checkpoint is taken at every draw commitment and every publication of results (the use case calls
`audit.request_checkpoint`, and the head is taken after its own records are in) and at least once a
day by the worker (the `audit_checkpoint` timer, which schedules its successor). The list is public
(/audit/checkpoints and its JSON download); anyone who keeps a copy can later run
`flask --app app audit verify --checkpoints FILE_OR_URL`, which fails if the chain no longer passes
through every checkpoint — a truncated tail with a rewritten head, or a chain recomputed whole.

Publishing a checkpoint changes no domain state (it restates the head), so it writes no audit record:
one would move the head it publishes.
"""
import json
import urllib.request
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from domain.audit_verify import Checkpoint
from extensions import db
from models import AuditChainHead, AuditCheckpoint, Timer
from services.workflow import clock, timers

TIMER_KIND = "audit_checkpoint"
FORMAT = "yiye-audit-checkpoints/1"
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


class CheckpointFileError(ValueError):
    """The checkpoint list given to `audit verify` cannot be read or is not a checkpoint list."""


def publish_now(reason: str = "daily") -> AuditCheckpoint:
    """Take the current head as a checkpoint (caller commits)."""
    head = db.session.get(AuditChainHead, 1)
    checkpoint = AuditCheckpoint(seq=head.seq, hash=head.hash, at=clock.now(), reason=reason)
    db.session.add(checkpoint)
    return checkpoint


def publish_on_request() -> AuditCheckpoint:
    """`flask audit checkpoint`: publish the head now, in its own transaction."""
    checkpoint = publish_now("manual")
    db.session.commit()
    return checkpoint


def publish_daily(timer: Timer) -> None:
    publish_now("daily")
    # Two workers starting at once may both have scheduled one: the series continues from one of them only.
    other = select(Timer.id).where(Timer.kind == TIMER_KIND, Timer.status == "pending", Timer.id != timer.id)
    if db.session.scalar(other.limit(1)) is None:
        timers.schedule(TIMER_KIND, timer.due_at + timedelta(hours=current_app.config["AUDIT_CHECKPOINT_HOURS"]))


def ensure_scheduled() -> bool:
    """Make sure a checkpoint timer is pending (the worker calls this at start). True when one was added.

    The first falls at the close of today (23:59:59 Beijing time), then one every AUDIT_CHECKPOINT_HOURS.
    """
    pending = db.session.scalar(select(Timer.id).where(Timer.kind == TIMER_KIND, Timer.status == "pending").limit(1))
    if pending is not None:
        return False
    timers.schedule(TIMER_KIND, clock.end_of_day(clock.today()))
    db.session.commit()
    return True


def published() -> list[AuditCheckpoint]:
    return list(db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq, AuditCheckpoint.id)))


def document(rows: list[AuditCheckpoint]) -> dict:
    """The downloadable list: what `audit verify --checkpoints` reads back."""
    return {"format": FORMAT,
            "checkpoints": [{"seq": c.seq, "hash": c.hash, "at": c.at.isoformat(timespec="seconds") + "Z",
                             "reason": c.reason} for c in rows]}


def load(source: str) -> list[Checkpoint]:
    """Read a checkpoint list from a file or an http(s) URL, as published by `document()`."""
    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 - scheme checked above
                raw = response.read(MAX_DOWNLOAD_BYTES + 1)
        else:
            with open(source, "rb") as handle:
                raw = handle.read(MAX_DOWNLOAD_BYTES + 1)
    except OSError as exc:
        raise CheckpointFileError(f"无法读取检查点列表 (cannot read {source}): {exc}") from exc
    if len(raw) > MAX_DOWNLOAD_BYTES:
        raise CheckpointFileError(f"检查点列表过大 (larger than {MAX_DOWNLOAD_BYTES} bytes)")
    try:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise ValueError(f"format is not {FORMAT}")
        return [Checkpoint(int(c["seq"]), _hex64(c["hash"])) for c in data["checkpoints"]]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CheckpointFileError(f"不是检查点列表 (not a checkpoint list): {exc}") from exc


def _hex64(value) -> str:
    if not isinstance(value, str) or len(value) != 64 or value.strip("0123456789abcdef"):
        raise ValueError(f"not a SHA-256 hex digest: {value!r}")
    return value
