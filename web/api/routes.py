"""JSON API /api/v1: bearer-token auth, same services and authorization as the pages."""


from flask import Blueprint, g, jsonify, request
from marshmallow import ValidationError

from extensions import csrf
from schemas.campaign import CampaignDetailSchema, CampaignSchema
from schemas.task import (DraftSavedSchema, EvidenceSchema, TaskAboutSchema, TaskCompleteSchema, TaskDetailSchema,
                          TaskDraftSchema, TaskSchema, TokenRequestSchema, TokenSchema)
from services import auth
from services.stages import initiation as campaigns
from services.stages import review_figures
from services.workflow import tasks
from services.errors import ValidationFailed
from web.api.auth import token_required
from web.api.openapi import openapi_document
from web.errors import problem
from web.ops.limits import login_limits
from web.uploads import task_uploads

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, never cookies: a forged cross-site request carries no credential


# Stateless for load and dump, so one instance serves every request (building one costs more than a dump).
_COMPLETE_SCHEMA, _TASK_SCHEMA = TaskCompleteSchema(), TaskSchema()


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


@bp.delete("/tokens/current")
@token_required
def revoke_current_token():
    """The client logs out: the bearer token it sent stops working."""
    auth.revoke_current_token(request.headers["Authorization"][7:])
    return "", 204


@bp.delete("/tokens/<int:token_id>")
@token_required
def revoke_token(token_id: int):
    """The token's owner, or an admin for anyone's token."""
    auth.revoke_token(g.api_user, token_id)
    return "", 204


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
    """With an Idempotency-Key header a repeat (a retry after a lost answer) gets the first answer again."""
    body = _body(_COMPLETE_SCHEMA)
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return _TASK_SCHEMA.dump(tasks.complete_for_answer(g.api_user, task_id, body["data"]))
    outcome = tasks.complete_with_key(g.api_user, task_id, body["data"], key)
    return outcome.result, 200, {"Idempotent-Replayed": "true" if outcome.replayed else "false"}


@bp.put("/tasks/<int:task_id>/draft")
@token_required
def save_task_draft(task_id: int):
    """The values typed so far, unchecked, for a form that keeps drafts; the page shows them on reopening."""
    body = _body(TaskDraftSchema())
    return DraftSavedSchema().dump({"saved_at": tasks.save_draft(g.api_user, task_id, body["data"])})


@bp.post("/tasks/<int:task_id>/evidence")
@token_required
def upload_task_evidence(task_id: int):
    """Photos or PDFs (multipart, fields evidence.<checklist item id> or evidence): all stored or none."""
    rows = tasks.attach_evidence(g.api_user, task_id, task_uploads(), required=True)
    return {"items": EvidenceSchema(many=True).dump(rows)}, 201


@bp.get("/campaigns")
@token_required
def list_campaigns():
    return {"items": CampaignSchema(many=True).dump(campaigns.visible_campaigns(g.api_user))}


@bp.get("/campaigns/<int:campaign_id>")
@token_required
def get_campaign(campaign_id: int):
    campaign = campaigns.get_campaign(g.api_user, campaign_id)
    out = CampaignDetailSchema(exclude=("figures",)).dump(campaign)
    out["figures"] = review_figures.campaign_figures(campaign)
    return out

