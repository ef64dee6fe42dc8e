"""The OpenAPI document for /api/v1, built by apispec from the marshmallow schemas."""
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from schemas.campaign import CampaignDetailSchema, CampaignSchema
from schemas.task import (DraftSavedSchema, EvidenceSchema, TaskAboutSchema, TaskCompleteSchema, TaskDetailSchema,
                          TaskDraftSchema, TaskSchema, TokenRequestSchema, TokenSchema)
from web.api.directory_openapi import add_paths as add_directory_paths

PROBLEM = {"description": "Problem document (RFC 9457)",
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
# Every path answers other methods with 405 and the methods it allows; the login is rate limited (429).
NOT_ALLOWED = {**PROBLEM, "description": "Method not allowed; the Allow header lists the methods this path takes",
               "headers": {"Allow": {"schema": {"type": "string"}, "description": "e.g. GET, HEAD, OPTIONS"}}}
TOO_MANY = {**PROBLEM, "description": "Too many failed logins from this address or for this account; retry later",
            "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}}}
DESCRIPTION = ("Bearer-token API of the platform. Every date-time is RFC 3339 with an offset, in Beijing time "
               "(e.g. 2026-12-03T10:00:00+08:00); dates are YYYY-MM-DD. Integer query parameters must be integers "
               "when present (empty or `null` is a 400 problem document). Errors are RFC 9457 problem documents.")


def _op(summary: str, ok_schema: str | None = None, body: str | None = None, auth: bool = True, status: str = "200"):
    op = {"summary": summary, "responses": {status: {"description": "OK"}, "401": PROBLEM, "403": PROBLEM,
                                             "404": PROBLEM, "405": NOT_ALLOWED, "409": PROBLEM, "422": PROBLEM}}
    if not auth:
        op["responses"]["429"] = TOO_MANY
    if ok_schema:
        op["responses"][status]["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ok_schema}"}}}
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}}
    if auth:
        op["security"] = [{"bearer": []}]
    return op


def _evidence_op() -> dict:
    op = _op("Upload photos or PDFs for a task's form (joint_inspection, rectification): checked by content "
             "(JPEG/PNG/WebP/HEIC/PDF) and size, all stored or none", status="201")
    op["responses"]["201"]["content"] = {"application/json": {"schema": {
        "type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Evidence"}}}}}}
    op["responses"]["413"] = {**PROBLEM, "description": "The request is larger than the server accepts"}
    op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "description": "Fields `evidence` (no checklist item) or `evidence.<checklist item id>`, "
                                         "each with one or more files",
        "properties": {"evidence": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "binary"}}},
        "required": ["evidence"]}}}}
    return op


def _id(name: str) -> list:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}]


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    spec = APISpec(title="一业一查联合监管平台 API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], servers=[{"url": "/api/v1"}], info={"description": DESCRIPTION})
    for name, schema in (("Task", TaskSchema), ("TaskAbout", TaskAboutSchema), ("TaskDetail", TaskDetailSchema), ("TaskComplete", TaskCompleteSchema),
                         ("TokenRequest", TokenRequestSchema), ("Token", TokenSchema), ("Campaign", CampaignSchema),
                         ("CampaignDetail", CampaignDetailSchema), ("TaskDraft", TaskDraftSchema),
                         ("DraftSaved", DraftSavedSchema), ("Evidence", EvidenceSchema)):
        spec.components.schema(name, schema=schema)
    spec.components.schema("Problem", {"type": "object", "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "errors": {"type": "object"}}})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.path(path="/tokens", operations={"post": _op("Log in and get a bearer token", "Token", "TokenRequest", auth=False, status="201")})
    spec.path(path="/tokens/current", operations={"delete": _op("Revoke the bearer token of this request", status="204")})
    spec.path(path="/tokens/{token_id}", parameters=_id("token_id"),
              operations={"delete": _op("Revoke one token (its owner, or an admin)", status="204")})
    spec.path(path="/tasks", operations={"get": _op("My tasks and my department's unclaimed tasks, most urgent first; "
                                                         "each with `about` (TaskAbout): enterprise, campaign, days left")})
    spec.path(path="/tasks/{task_id}", parameters=_id("task_id"), operations={"get": _op("Task with its form", "TaskDetail")})
    spec.path(path="/tasks/{task_id}/claim", parameters=_id("task_id"), operations={"post": _op("Claim a task", "Task")})
    spec.path(path="/tasks/{task_id}/complete", parameters=_id("task_id"),
              operations={"post": _op("Complete a task with its form data", "Task", "TaskComplete")})
    spec.path(path="/tasks/{task_id}/draft", parameters=_id("task_id"), operations={"put": _op(
        "Save the form's values so far, unchecked (forms that keep drafts: joint_inspection); "
        "only the form's own fields, rows as a list of objects", "DraftSaved", "TaskDraft")})
    spec.path(path="/tasks/{task_id}/evidence", parameters=_id("task_id"), operations={"post": _evidence_op()})
    spec.path(path="/campaigns", operations={"get": _op("Campaigns visible to me")})
    spec.path(path="/campaigns/{campaign_id}", parameters=_id("campaign_id"),
              operations={"get": _op("Campaign detail with figures", "CampaignDetail")})
    add_directory_paths(spec)
    return spec.to_dict()
