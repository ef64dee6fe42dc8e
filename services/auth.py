"""Login with hashed passwords, bearer tokens for the API (stored as SHA-256 only), and the end of sessions.

A user's sessions and tokens all end together: `end_all_sessions` bumps the user's session version, which the
cookie carries (User.get_id) and every token is checked against, and marks the user's open tokens revoked so
their own page shows why they stopped working. Logout, password changes, disabling an account and changing its
roles call it.
"""
import hashlib
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from domain.passwords import DEMO_PASSWORD
from extensions import db
from models import ApiToken, User, UserRole
from services import audit
from services.errors import Forbidden, NotFound
from services.workflow import clock
from services.lookup import get_or_404

# Compared against when the user does not exist, so a miss costs as much as a hit. Made on the first miss, not
# at import: one scrypt is ~0.2 s of CPU that every process importing this module (every web worker, every CLI
# command) would pay, though most never see a miss.
_dummy_hash: str | None = None
# A token's last use is written at most this often: a busy client must not turn every read into a write.
_TOUCH_EVERY = timedelta(minutes=1)


class DemoPasswordRefused(Forbidden):
    """Production: the shared demo password never opens an account, whichever account holds it."""


def authenticate(username: str, password: str) -> User | None:
    if not current_app.config.get("DEMO_ALLOWED", True) and password == DEMO_PASSWORD:
        raise DemoPasswordRefused("生产环境不能使用演示密码登录：请管理员用 `flask --app app users reset-password` 重置密码")
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.active:
        _check_nobody(password)
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def _check_nobody(password: str | None) -> None:
    """Spend what checking a real user's hash costs: one scrypt with werkzeug's default parameters, as a
    user's hash is made. The first miss spends it making the dummy hash, the later ones checking against it."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash("not-a-real-password")
    else:
        check_password_hash(_dummy_hash, password or "")


def log_in(user: User) -> None:
    """Record a successful login (the session itself is the web layer's)."""
    audit.record(user, "auth.login", "user", user.id)
    db.session.commit()


def log_out(user: User) -> None:
    """Record the logout and end every session and token of the user."""
    audit.record(user, "auth.logout", "user", user.id)
    end_all_sessions(user, "logout")
    db.session.commit()


def user_named(username: str) -> User | None:
    """An account by its username (the CLI records its work under one)."""
    return db.session.scalar(select(User).where(User.username == username))


def create_user(username: str, password: str, display_name: str, roles: list[str],
                department_id: int | None = None) -> User:
    user = User(username=username, password_hash=generate_password_hash(password), display_name=display_name,
                department_id=department_id, roles=[UserRole(role=r) for r in roles])
    db.session.add(user)
    db.session.commit()
    return user


def user_for_session(cookie_id: str) -> User | None:
    """Flask-Login's loader: the cookie holds "<id>:<session version>"; an older version is a dead session."""
    user_id, _, version = (cookie_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def end_all_sessions(user: User, reason: str, actor: User | None = None) -> None:
    """End every session cookie and API token of `user` at once. Queued on the caller's transaction (the
    caller commits with its own change, so a password change and the end of the old sessions land together).
    `reason` is a short code kept in the audit record: logout, password_change, password_set, disabled,
    roles_changed."""
    user.session_version = (user.session_version or 1) + 1
    now = clock.now()
    revoked = db.session.scalars(select(ApiToken.id).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)).all()
    if revoked:
        db.session.execute(update(ApiToken).where(ApiToken.id.in_(revoked)).values(revoked_at=now))
    audit.record(actor or user, "auth.sessions_end", "user", user.id, reason=reason, tokens_revoked=list(revoked),
                 department_id=user.department_id)


def issue_token(user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken(user_id=user.id, token_hash=_digest(token), created_at=now,
                   expires_at=now + timedelta(hours=current_app.config["API_TOKEN_HOURS"]))
    db.session.add(row)
    db.session.flush()
    audit.record(user, "auth.token_issue", "user", user.id, token_id=row.id)
    db.session.commit()
    return token, row


@cache
def _token_query():
    """One statement for the token, its user and the user's roles (every API request checks a role next).
    Built once: constructing it and its cache key anew cost every API request about 0.4 ms of CPU."""
    return (select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash"))
            .options(joinedload(ApiToken.user).joinedload(User.roles)))


def token_row(token: str) -> ApiToken | None:
    """The live token row for a bearer token, or None (unknown, expired, revoked, or its user disabled)."""
    row = db.session.scalars(_token_query(), {"token_hash": _digest(token)}).unique().one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at < clock.now() or not row.user.active:
        return None
    return row


def user_for_token(token: str) -> User | None:
    row = token_row(token)
    if row is None:
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
        row.last_used_at = now
        db.session.commit()
    return row.user


def revoke_current_token(token: str) -> ApiToken:
    row = token_row(token)
    if row is None:
        raise NotFound("访问令牌不存在或已失效")
    return _revoke(row.user, row)


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """The token's owner, or an admin, revokes one token."""
    row = get_or_404(ApiToken, token_id, "访问令牌不存在")
    if row.user_id != actor.id and not actor.has_role("admin"):
        raise Forbidden("只能撤销自己的访问令牌（管理员可撤销任何人的令牌）")
    if row.revoked_at is not None:
        return row
    return _revoke(actor, row)


def _revoke(actor: User, row: ApiToken) -> ApiToken:
    row.revoked_at = clock.now()
    audit.record(actor, "auth.token_revoke", "user", row.user_id, token_id=row.id)
    db.session.commit()
    return row


def tokens_of(actor: User, user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first: their own, or anyone's for an admin."""
    if actor.id != user_id and not actor.has_role("admin"):
        raise Forbidden("只能查看自己的访问令牌")
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                   .order_by(ApiToken.id.desc())))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
