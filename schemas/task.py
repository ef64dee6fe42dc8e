from marshmallow import Schema, fields

from schemas.fields import BeijingDateTime


class TaskSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    form_key = fields.String()
    element_id = fields.String()
    stage = fields.String(allow_none=True)
    status = fields.String()
    campaign_id = fields.Integer(allow_none=True)
    inspection_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    claimed_by_id = fields.Integer(allow_none=True)
    created_at = BeijingDateTime()
    due_at = BeijingDateTime(allow_none=True)
    completed_at = BeijingDateTime(allow_none=True)


class TaskDetailSchema(TaskSchema):
    form = fields.Dict()


class TaskCompleteSchema(Schema):
    data = fields.Dict(required=True)


class TokenRequestSchema(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True)


class TokenSchema(Schema):
    token = fields.String()
    expires_at = BeijingDateTime()
