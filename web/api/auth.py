"""Bearer-token authentication shared by the API's blueprints."""
from functools import wraps

from flask import g, request

from services import auditor, auth
from web.errors import problem

# Revoking its own tokens is the account's hygiene, not the regulator's data.
AUDITOR_WRITES = {"api.revoke_current_token", "api.revoke_token"}


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        user = auth.user_for_token(header[7:]) if header.startswith("Bearer ") else None
        if user is None:
            return problem(401, "未认证", "需要有效的访问令牌 (Authorization: Bearer …)")
        g.api_user = user
        if auditor.is_auditor(user):  # read-only and audited, through the API as on the pages (web/auditor)
            if request.method not in ("GET", "HEAD") and request.endpoint not in AUDITOR_WRITES:
                return problem(403, "无权操作", "纪检监察（审计）账号只能查看，不能修改")
            if request.method == "GET":
                auditor.record_view(user, request.endpoint, request.full_path.rstrip("?"))
        return view(*args, **kwargs)
    return wrapper
