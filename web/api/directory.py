"""Read-only directory endpoints of /api/v1 for any token holder: same filters and paging as the pages."""
from flask import Blueprint, g, request

from extensions import csrf

from schemas.directory import (ChecklistSchema, EnterpriseDetailSchema, EnterprisePageSchema, ExpertPageSchema,
                               IndustrySchema, MatterSchema, OfficialPageSchema)
from services.directory import catalogue
from services.directory import listings as directory
from services.errors import NotFound
from web.api import params
from web.api.auth import token_required

bp = Blueprint("api_directory", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens only, as the rest of the API

MAX_PER_PAGE = directory.MAX_PER_PAGE  # as the OpenAPI document says (web/api/directory_openapi.py)


def _paging() -> tuple[int, int]:
    return (params.integer("page", 1, minimum=1, maximum=params.MAX_PAGE),
            params.integer("per_page", directory.PER_PAGE, minimum=1, maximum=MAX_PER_PAGE))


def _page(page) -> dict:
    return {"items": page.items, "total": page.total, "capped": page.capped, "page": page.page,
            "per_page": page.per_page}


@bp.get("/enterprises")
@token_required
def api_enterprises():
    params.integers("industry_id", "region_id")
    page = directory.search_enterprises(directory.enterprise_filters(request.args, g.api_user), *_paging())
    return EnterprisePageSchema().dump(_page(page))


@bp.get("/enterprises/<int:enterprise_id>")
@token_required
def api_enterprise(enterprise_id: int):
    enterprise = directory.get_enterprise(enterprise_id, g.api_user)
    out = EnterpriseDetailSchema(exclude=("last_inspected",)).dump(enterprise)
    out["last_inspected"] = [{"matter_id": m.id, "matter": m.name, "date": day.isoformat()}
                             for m, day in directory.last_inspected(enterprise_id)]
    return out


@bp.get("/officials")
@token_required
def api_officials():
    params.integers("department_id", "region_id")
    page = directory.search_officials(directory.official_filters(request.args, g.api_user), *_paging())
    return OfficialPageSchema().dump(_page(page))


@bp.get("/experts")
@token_required
def api_experts():
    page = directory.search_experts(directory.expert_filters(request.args), *_paging())
    return ExpertPageSchema().dump(_page(page))


@bp.get("/matters")
@token_required
def api_matters():
    matters = catalogue.list_matters(params.integer("department_id", minimum=1, maximum=params.MAX_ID),
                                     params.text("q"))
    return {"items": MatterSchema(many=True).dump(matters)}


@bp.get("/industries")
@token_required
def api_industries():
    return {"items": IndustrySchema(many=True).dump(catalogue.list_industries())}


@bp.get("/industries/<int:industry_id>/checklist")
@token_required
def api_checklist(industry_id: int):
    revision = catalogue.checklist(industry_id, params.integer("revision", minimum=1, maximum=params.MAX_ID))
    if revision is None:
        raise NotFound("该行业还没有检查清单")
    return ChecklistSchema().dump(revision)
