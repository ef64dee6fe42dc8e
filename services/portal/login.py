"""Enterprise login: the USCC, then a one-time code sent to the enterprise's registered contact.

Nothing tells whether a USCC is registered: every well-formed request gets the same answer and the same
work (a code is drawn, hashed and stored for unknown USCCs too; only a registered contact is sent one),
and the per-USCC limit counts unknown USCCs like known ones. The code is only queued while the request is
answered: sending it (an SMS gateway, a webhook: tens to hundreds of milliseconds) happens after the answer
has left (`deliver_code`), so the answer's timing does not tell a registered USCC from an unknown one. Codes are single-use, expire after
PORTAL_CODE_MINUTES, die after PORTAL_CODE_ATTEMPTS wrong tries, and are stored only as an HMAC keyed
with the application's secret. Requests are limited per USCC and per client address, per hour.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from domain.uscc import validate as validate_uscc
from extensions import db
from models import Enterprise, LoginCode
from services import audit
from services.errors import TooManyRequests, ValidationFailed
from services.portal import outbox
from services.workflow import clock

CODE_DIGITS = 6
WRONG_CODE = "验证码错误或已失效，请重新获取"


def request_code(uscc: str, client: str | None) -> int | None:
    """Queue a login code for the registered contact of `uscc`, if there is one; the same answer either way.
    Returns the queued message's id for `deliver_code` once the answer is out (None when nothing was queued)."""
    uscc = _normalised(uscc)
    _check_limits(uscc, client)
    enterprise = db.session.scalars(select(Enterprise).where(Enterprise.uscc == uscc)).first()
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    now = clock.now()
    row = LoginCode(uscc=uscc, enterprise_id=enterprise.id if enterprise else None, code_hash=_digest(uscc, code),
                    client=(client or "")[:64] or None, created_at=now,
                    expires_at=now + timedelta(minutes=current_app.config["PORTAL_CODE_MINUTES"]))
    db.session.add(row)
    message = None
    if enterprise is not None and enterprise.contact_mobile:
        message = outbox.enqueue(enterprise.id, enterprise.contact_mobile, "login_code",
                                 f"【一业一查】您的登录验证码为 {code}，"
                                 f"{current_app.config['PORTAL_CODE_MINUTES']} 分钟内有效。如非本人操作请忽略。")
    db.session.commit()
    return message.id if message is not None else None


def deliver_code(message_id: int) -> None:
    """Send a queued login code now (called after the answer to the request has been sent); a failure stays
    queued for the outbox worker to retry."""
    outbox.deliver_one(message_id)


def verify_code(uscc: str, code: str) -> Enterprise:
    """The enterprise whose fresh code this is; every wrong try counts against the code."""
    uscc = _normalised(uscc)
    now = clock.now()
    row = db.session.scalars(select(LoginCode).where(
        LoginCode.uscc == uscc, LoginCode.used_at.is_(None), LoginCode.expires_at > now)
        .order_by(LoginCode.id.desc()).limit(1)).first()
    if row is None or row.attempts >= current_app.config["PORTAL_CODE_ATTEMPTS"]:
        raise ValidationFailed({"code": [WRONG_CODE]}, WRONG_CODE)
    row.attempts += 1
    if not hmac.compare_digest(row.code_hash, _digest(uscc, (code or "").strip())) or row.enterprise_id is None:
        db.session.commit()
        raise ValidationFailed({"code": [WRONG_CODE]}, WRONG_CODE)
    row.used_at = now
    audit.record(None, "portal.login", "enterprise", row.enterprise_id)
    db.session.commit()
    return db.session.get(Enterprise, row.enterprise_id)


def _normalised(uscc: str) -> str:
    checked = validate_uscc(uscc or "")
    if not checked.valid:
        raise ValidationFailed({"uscc": ["请输入正确的 18 位统一社会信用代码"]}, "请输入正确的 18 位统一社会信用代码")
    return checked.code


def _check_limits(uscc: str, client: str | None) -> None:
    since = clock.now() - timedelta(hours=1)
    by_uscc = db.session.scalar(select(func.count()).select_from(LoginCode).where(
        LoginCode.uscc == uscc, LoginCode.created_at > since))
    by_client = db.session.scalar(select(func.count()).select_from(LoginCode).where(
        LoginCode.client == client, LoginCode.created_at > since)) if client else 0
    if by_uscc >= current_app.config["PORTAL_CODES_PER_USCC_HOUR"] or \
            by_client >= current_app.config["PORTAL_CODES_PER_CLIENT_HOUR"]:
        raise TooManyRequests("获取验证码过于频繁，请一小时后再试")


def _digest(uscc: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"login-code|{uscc}|{code}".encode(), hashlib.sha256).hexdigest()
