from marshmallow import Schema, fields

from schemas.fields import BeijingDateTime, beijing_iso


class CampaignDepartmentSchema(Schema):
    department_id = fields.Integer()
    department = fields.Function(lambda d: d.department.name)
    role = fields.String()
    status = fields.String()
    reason = fields.String(allow_none=True)


class CampaignSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    title = fields.String()
    kind = fields.String()
    stage = fields.String()
    status = fields.String()
    industry = fields.Function(lambda c: c.industry.name)
    lead_department = fields.Function(lambda c: c.lead_department.name)
    created_at = BeijingDateTime()
    completed_at = BeijingDateTime(allow_none=True)


class CampaignDetailSchema(CampaignSchema):
    departments = fields.List(fields.Nested(CampaignDepartmentSchema))
    matters = fields.Function(lambda c: [{"id": m.id, "name": m.name, "department_id": m.department_id} for m in c.matters])
    stages = fields.Function(lambda c: [{"stage": s.stage, "entered_at": beijing_iso(s.entered_at),
                                         "left_at": beijing_iso(s.left_at)} for s in c.stages])
    figures = fields.Dict()
