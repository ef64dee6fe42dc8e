from marshmallow import Schema, ValidationError, fields, validate, validates

CLASSES = ("A", "B", "C", "D")


class DrawTargetSchema(Schema):
    credit_classes = fields.List(fields.String(validate=validate.OneOf(CLASSES)), load_default=list)
    name_contains = fields.String(load_default="", validate=validate.Length(max=100))
    address_contains = fields.String(load_default="", validate=validate.Length(max=100))
    entity = fields.String(load_default="", validate=validate.OneOf(("", "company", "sole_trader")))


class DrawSettingsSchema(Schema):
    """Shape only; services/draw_rules.py holds the defaults and the rules between fields."""
    mode = fields.String(validate=validate.OneOf(("stratified", "random", "targeted")))
    overall_ratio = fields.Float(allow_none=True, validate=validate.Range(0, 100))
    target = fields.Nested(DrawTargetSchema)
    min_per_class = fields.Integer(validate=validate.Range(0, 1000))
    officers_per_department = fields.Integer(validate=validate.Range(1, 5))
    zero_reasons = fields.Dict(keys=fields.String(validate=validate.OneOf(CLASSES)),
                               values=fields.String(validate=validate.Length(max=500)))
    exclude_inactive = fields.Boolean()
    exclude_inspected_months = fields.Integer(validate=validate.Range(0, 120))
    exclude_open_case = fields.Boolean()
    extra_industry_ids = fields.List(fields.Integer())
    region_ids = fields.List(fields.Integer())
    expert_field = fields.String(allow_none=True, validate=validate.Length(max=100))
    experts_per_enterprise = fields.Integer(validate=validate.Range(0, 5))


class PlanEntryCreateSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    industry_id = fields.Integer(required=True)
    lead_department_id = fields.Integer(required=True)
    partner_department_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=4))
    matter_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1))
    ratios = fields.Dict(keys=fields.String(validate=validate.OneOf(CLASSES)),
                         values=fields.Float(validate=validate.Range(0, 100)), required=True)
    method = fields.String(required=True, validate=validate.Length(min=1, max=40))
    timing = fields.String(required=True, validate=validate.Length(min=1, max=100))
    result_handling = fields.String(load_default=None, validate=validate.Length(max=2000))
    draw_settings = fields.Nested(DrawSettingsSchema, load_default=dict)

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
    draw_settings = fields.Dict()
    status = fields.String()
