"""Messages to enterprises: queued in the caller's transaction, delivered after it commits through a channel.

Channels (OUTBOX_CHANNEL): "console" writes the message to the application log (development and tests read
login codes from the outbox table); "webhook" POSTs JSON to OUTBOX_WEBHOOK_URL (政务微信/钉钉-style gateways);
"sms" hands the message to the adapter named by SMS_ADAPTER ("module:callable", taking recipient and text), so
a provider's SDK plugs in without code here. A failed delivery stays "failed" with its error, and
`deliver_pending()` (the worker, or `flask outbox deliver`) retries it up to OUTBOX_MAX_ATTEMPTS times.
"""
import importlib
import json
import logging
import urllib.request

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import OutboxMessage
from services.workflow import clock

log = logging.getLogger("yiye.outbox")


def enqueue(enterprise_id: int | None, recipient: str, kind: str, body: str) -> OutboxMessage:
    message = OutboxMessage(enterprise_id=enterprise_id, channel=current_app.config["OUTBOX_CHANNEL"],
                            recipient=recipient, kind=kind, body=body, created_at=clock.now())
    db.session.add(message)
    return message


def deliver(message: OutboxMessage) -> None:
    """Send one message and record the outcome (within the caller's transaction)."""
    message.attempts += 1
    try:
        CHANNELS[message.channel](message)
    except Exception as exc:  # noqa: BLE001 - any channel failure is recorded and retried, never raised
        message.status, message.error = "failed", str(exc)[:300]
        log.warning("outbox message %s not delivered: %s", message.id, exc)
        return
    message.status, message.sent_at, message.error = "sent", clock.now(), None


def deliver_one(message_id: int) -> None:
    """Send one queued message by id and commit (nothing when it is gone or already sent)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is not None and message.status in ("pending", "failed"):
        deliver(message)
        db.session.commit()


def deliver_pending(limit: int = 100) -> int:
    """Deliver queued and failed messages (oldest first); commits; returns how many were sent."""
    retries = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    sent = 0
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.status.in_(("pending", "failed")), OutboxMessage.attempts < retries)
            .order_by(OutboxMessage.id).limit(limit)):
        deliver(message)
        sent += message.status == "sent"
    db.session.commit()
    return sent


def _console(message: OutboxMessage) -> None:
    log.info("outbox %s to %s: %s", message.kind, message.recipient, message.body)


def _webhook(message: OutboxMessage) -> None:
    url = current_app.config["OUTBOX_WEBHOOK_URL"]
    if not url:
        raise RuntimeError("OUTBOX_WEBHOOK_URL is not set")
    payload = json.dumps({"recipient": message.recipient, "kind": message.kind, "text": message.body},
                         ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=payload, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=current_app.config["OUTBOX_TIMEOUT_SECONDS"]) as response:
        if response.status >= 300:
            raise RuntimeError(f"webhook answered {response.status}")


def _sms(message: OutboxMessage) -> None:
    target = current_app.config["SMS_ADAPTER"]
    if not target:
        raise RuntimeError("SMS_ADAPTER is not set")
    module, _, name = target.partition(":")
    getattr(importlib.import_module(module), name)(message.recipient, message.body)


CHANNELS = {"console": _console, "webhook": _webhook, "sms": _sms}


def for_enterprise(user, enterprise_id: int, limit: int = 50) -> list[OutboxMessage]:
    """What was sent to an enterprise and whether it arrived, newest first, for officials. Login codes are
    listed without their text (`hidden_body`): an official must never be able to log in as the enterprise."""
    if not user.has_role("official", "department_admin", "supervisor", "admin"):
        return []
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.enterprise_id == enterprise_id)
                                   .order_by(OutboxMessage.id.desc()).limit(limit)))


HIDDEN_KINDS = {"login_code"}
