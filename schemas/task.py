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


class TaskDraftSchema(Schema):
    """A draft of a form that keeps one (the inspection record): its values so far, unchecked."""
    data = fields.Dict(required=True)


class DraftSavedSchema(Schema):
    saved_at = BeijingDateTime()


class EvidenceSchema(Schema):
    """A stored evidence file (photo or PDF), kept by its content hash."""
    id = fields.Integer()
    checklist_item_id = fields.Integer(allow_none=True)
    original_name = fields.String()
    mime = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = BeijingDateTime()


class TokenRequestSchema(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True)


class TokenSchema(Schema):
    token = fields.String()
    expires_at = BeijingDateTime()
