from marshmallow import Schema, ValidationError, fields, validate, validates

CLASSES = ("A", "B", "C", "D")


class PlanEntryCreateSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    industry_id = fields.Integer(required=True)
    lead_department_id = fields.Integer(required=True)
    partner_department_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=4))
    matter_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1))
    ratios = fields.Dict(keys=fields.String(validate=validate.OneOf(CLASSES)),
                         values=fields.Float(validate=validate.Range(0, 100)), required=True)
    method = fields.String(required=True, validate=validate.Length(min=1, max=40))
    timing = fields.String(required=True, validate=validate.Length(min=1, max=100))
    result_handling = fields.String(load_default=None, validate=validate.Length(max=2000))

    @validates("ratios")
    def _every_class(self, value, **kwargs):
        if sorted(value) != list(CLASSES):
            raise ValidationError("必须为 A、B、C、D 四个信用风险等级分别设定抽查比例")


class PlanEntrySchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    industry = fields.Function(lambda e: e.industry.name)
    lead_department = fields.Function(lambda e: e.lead_department.name)
    ratios = fields.Dict()
    status = fields.String()
