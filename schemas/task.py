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


class TaskAboutSchema(Schema):
    """What a listed task concerns (services.workflow.task_views.TaskView), for telling tasks apart."""
    enterprise_name = fields.String(allow_none=True)
    uscc_short = fields.String(allow_none=True)
    department_name = fields.String(allow_none=True)
    campaign_title = fields.String(allow_none=True)
    campaign_code = fields.String(allow_none=True)
    working_days_left = fields.Integer(allow_none=True)
    urgency = fields.String()  # overdue / urgent / normal / undated


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
