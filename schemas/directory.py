"""Read-only JSON shapes of the directories and the catalogue (/api/v1)."""
from marshmallow import Schema, fields

from schemas.fields import BeijingDateTime


class IndustrySchema(Schema):
    id = fields.Integer()
    code = fields.String(metadata={"description": "GB/T 4754 industry code"})
    name = fields.String()
    matter_ids = fields.Function(lambda i: [m.id for m in i.matters])


class EnterpriseSchema(Schema):
    id = fields.Integer()
    uscc = fields.String(metadata={"description": "统一社会信用代码, or a legacy 15-digit registration number"})
    legacy_code = fields.Boolean()
    name = fields.String()
    industry_id = fields.Integer()
    industry = fields.Function(lambda e: e.industry.name)
    region_id = fields.Integer()
    region = fields.Function(lambda e: e.region.name)
    address = fields.String(allow_none=True)
    status = fields.String()
    credit_class = fields.String()


class LastInspectedSchema(Schema):
    matter_id = fields.Integer()
    matter = fields.String()
    date = fields.Date()


class EnterpriseDetailSchema(EnterpriseSchema):
    last_inspected = fields.List(fields.Nested(LastInspectedSchema))


class OfficialSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    cert_no = fields.String(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    department = fields.Function(lambda u: u.department.name if u.department else None)
    region_id = fields.Integer(allow_none=True)
    specialties = fields.String(allow_none=True)
    active = fields.Boolean()


class ExpertSchema(Schema):
    id = fields.Integer()
    cert_no = fields.String()
    name = fields.String()
    field = fields.String()
    organisation = fields.String(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class MatterSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    department_id = fields.Integer()
    department = fields.Function(lambda m: m.department.name)
    legal_basis = fields.String()
    method = fields.String()
    requirement = fields.String(allow_none=True)
    active = fields.Boolean()


class ChecklistItemSchema(Schema):
    position = fields.Integer()
    text = fields.String()
    matter_id = fields.Integer()


class ChecklistSchema(Schema):
    id = fields.Integer()
    industry_id = fields.Integer()
    number = fields.Integer()
    created_at = BeijingDateTime()
    note = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ChecklistItemSchema))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict({"items": fields.List(fields.Nested(item)), "total": fields.Integer(),
                             "capped": fields.Boolean(metadata={"description": "total was counted only up to a cap"}),
                             "page": fields.Integer(), "per_page": fields.Integer()}, name=name)


EnterprisePageSchema = page_schema(EnterpriseSchema, "EnterprisePage")
OfficialPageSchema = page_schema(OfficialSchema, "OfficialPage")
ExpertPageSchema = page_schema(ExpertSchema, "ExpertPage")
