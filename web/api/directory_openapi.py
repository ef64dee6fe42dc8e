"""OpenAPI paths of the read-only directory endpoints (web/api/directory.py)."""
from schemas.directory import (ChecklistSchema, EnterpriseDetailSchema, EnterprisePageSchema, ExpertPageSchema,
                               IndustrySchema, MatterSchema, OfficialPageSchema)
from models.enterprise import CREDIT_CLASSES, STATUSES
from web.api.params import MAX_ID, MAX_PAGE

PROBLEM = {"description": "Problem document (RFC 9457)",
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
NOT_ALLOWED = {**PROBLEM, "description": "Method not allowed; the Allow header lists the methods this path takes",
               "headers": {"Allow": {"schema": {"type": "string"}}}}
PAGING = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}},
          {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}]


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
CHOICES = {"credit_class": list(CREDIT_CLASSES), "status": list(STATUSES), "active": ["1", "0"]}


def _query(*names: str) -> list[dict]:
    def schema(name: str) -> dict:
        if name.endswith("_id"):
            return ID
        return {"type": "string", "enum": CHOICES[name]} if name in CHOICES else {"type": "string"}
    return [{"name": n, "in": "query", "schema": schema(n)} for n in names]


def _get(summary: str, schema: str, parameters: list[dict]) -> dict:
    return {"get": {"summary": summary, "security": [{"bearer": []}], "parameters": parameters, "responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}},
        "400": PROBLEM, "401": PROBLEM, "404": PROBLEM, "405": NOT_ALLOWED, "422": PROBLEM}}}


def add_paths(spec) -> None:
    for name, schema in (("EnterprisePage", EnterprisePageSchema), ("EnterpriseDetail", EnterpriseDetailSchema),
                         ("OfficialPage", OfficialPageSchema), ("ExpertPage", ExpertPageSchema),
                         ("Matter", MatterSchema), ("Industry", IndustrySchema), ("Checklist", ChecklistSchema)):
        spec.components.schema(name, schema=schema)
    spec.components.schema("MatterList", {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Matter"}}}})
    spec.components.schema("IndustryList", {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Industry"}}}})
    path_id = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    spec.path(path="/enterprises", operations=_get(
        "Search the enterprise directory (q: name or USCC prefix; uscc: USCC prefix)", "EnterprisePage",
        _query("q", "uscc", "industry_id", "region_id", "credit_class", "status") + PAGING))
    spec.path(path="/enterprises/{id}", operations=_get("Enterprise with its last inspection per matter",
                                                        "EnterpriseDetail", path_id))
    spec.path(path="/officials", operations=_get("Search the inspector directory (active: 1 or 0)", "OfficialPage",
                                                 _query("q", "department_id", "region_id", "specialty", "active") + PAGING))
    spec.path(path="/experts", operations=_get("Search the expert library", "ExpertPage",
                                               _query("q", "field", "active") + PAGING))
    spec.path(path="/matters", operations=_get("The matter catalogue (监管事项清单)", "MatterList",
                                               _query("department_id", "q")))
    spec.path(path="/industries", operations=_get("Industries with their matters", "IndustryList", []))
    spec.path(path="/industries/{id}/checklist", operations=_get(
        "An industry's checklist (latest revision unless revision= is given)", "Checklist",
        path_id + [{"name": "revision", "in": "query", "schema": ID}]))
