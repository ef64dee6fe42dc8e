"""Login with hashed passwords, and bearer tokens for the API (stored as SHA-256 only)."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from models import ApiToken, User, UserRole
from services import audit
from services.errors import Forbidden
from services.org.accounts import DEMO_PASSWORD
from services.workflow import clock

# Compared against when the user does not exist, so a miss costs as much as a hit.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class DemoPasswordRefused(Forbidden):
    """Production: the shared demo password never opens an account, whichever account holds it."""


def authenticate(username: str, password: str) -> User | None:
    if not current_app.config.get("DEMO_ALLOWED", True) and password == DEMO_PASSWORD:
        raise DemoPasswordRefused("生产环境不能使用演示密码登录：请管理员用 `flask --app app users reset-password` 重置密码")
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def create_user(username: str, password: str, display_name: str, roles: list[str],
                department_id: int | None = None) -> User:
    user = User(username=username, password_hash=generate_password_hash(password), display_name=display_name,
                department_id=department_id, roles=[UserRole(role=r) for r in roles])
    db.session.add(user)
    db.session.commit()
    return user


def issue_token(user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(token),
                   expires_at=clock.now() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]))
    db.session.add(row)
    audit.record(user, "auth.token_issue", "user", user.id)
    db.session.commit()
    return token, row


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.expires_at < clock.now() or not row.user.active:
        return None
    return row.user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
