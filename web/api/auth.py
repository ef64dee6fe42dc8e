"""Bearer-token authentication shared by the API's blueprints."""
from functools import wraps

from flask import g, request

from services import auth
from web.errors import problem


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        user = auth.user_for_token(header[7:]) if header.startswith("Bearer ") else None
        if user is None:
            return problem(401, "未认证", "需要有效的访问令牌 (Authorization: Bearer …)")
        g.api_user = user
        return view(*args, **kwargs)
    return wrapper
