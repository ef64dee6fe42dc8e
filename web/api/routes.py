"""JSON API /api/v1: bearer-token auth, same services and authorization as the pages."""
from functools import wraps

from flask import Blueprint, g, jsonify, request
from marshmallow import ValidationError

from extensions import csrf
from schemas.campaign import CampaignDetailSchema, CampaignSchema
from schemas.task import TaskAboutSchema, TaskCompleteSchema, TaskDetailSchema, TaskSchema, TokenRequestSchema, TokenSchema
from services import auth
from services.stages import initiation as campaigns
from services.stages import review
from services.workflow import tasks
from services.errors import ValidationFailed
from web.api.openapi import openapi_document
from web.errors import problem
from web.ops.limits import login_limits

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, never cookies: a forged cross-site request carries no credential


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


def _body(schema):
    try:
        return schema.load(request.get_json(silent=True) or {})
    except ValidationError as exc:
        raise ValidationFailed(exc.messages) from exc


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.post("/tokens")
@login_limits
def create_token():
    body = _body(TokenRequestSchema())
    user = auth.authenticate(body["username"], body["password"])
    if user is None:
        return problem(401, "登录失败", "用户名或密码错误")
    token, row = auth.issue_token(user)
    return TokenSchema().dump({"token": token, "expires_at": row.expires_at}), 201


@bp.get("/tasks")
@token_required
def list_tasks():
    box = tasks.inbox_page(g.api_user)
    task_schema, about_schema = TaskSchema(), TaskAboutSchema()

    def listed(views):
        return [{**task_schema.dump(v.task), "about": about_schema.dump(v)} for v in views]
    return {"mine": listed(box.mine), "pool": listed(box.pool)}


@bp.get("/tasks/<int:task_id>")
@token_required
def get_task(task_id: int):
    task = tasks.get_task(g.api_user, task_id)
    out = TaskDetailSchema().dump(task)
    out["form"] = tasks.form_description(g.api_user, task_id)
    return out


@bp.post("/tasks/<int:task_id>/claim")
@token_required
def claim_task(task_id: int):
    return TaskSchema().dump(tasks.claim(g.api_user, task_id))


@bp.post("/tasks/<int:task_id>/complete")
@token_required
def complete_task(task_id: int):
    body = _body(TaskCompleteSchema())
    return TaskSchema().dump(tasks.complete(g.api_user, task_id, body["data"]))


@bp.get("/campaigns")
@token_required
def list_campaigns():
    return {"items": CampaignSchema(many=True).dump(campaigns.visible_campaigns(g.api_user))}


@bp.get("/campaigns/<int:campaign_id>")
@token_required
def get_campaign(campaign_id: int):
    campaign = campaigns.get_campaign(g.api_user, campaign_id)
    out = CampaignDetailSchema(exclude=("figures",)).dump(campaign)
    out["figures"] = review.campaign_figures(campaign)
    return out


from web.api import directory as _directory  # noqa: E402,F401 - registers the read-only directory routes on bp
