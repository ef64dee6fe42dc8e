"""Read-only directory endpoints of /api/v1 for any token holder: same filters and paging as the pages."""
from flask import g, request

from schemas.directory import (ChecklistSchema, EnterpriseDetailSchema, EnterprisePageSchema, ExpertPageSchema,
                               IndustrySchema, MatterSchema, OfficialPageSchema)
from services.directory import catalogue
from services.directory import listings as directory
from services.errors import NotFound
from web.api.routes import bp, token_required


def _paging() -> tuple[int, int]:
    return request.args.get("page", 1, type=int), request.args.get("per_page", directory.PER_PAGE, type=int)


def _page(page) -> dict:
    return {"items": page.items, "total": page.total, "capped": page.capped, "page": page.page,
            "per_page": page.per_page}


@bp.get("/enterprises")
@token_required
def api_enterprises():
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
    matters = catalogue.list_matters(request.args.get("department_id", type=int),
                                     (request.args.get("q") or "").strip() or None)
    return {"items": MatterSchema(many=True).dump(matters)}


@bp.get("/industries")
@token_required
def api_industries():
    return {"items": IndustrySchema(many=True).dump(catalogue.list_industries())}


@bp.get("/industries/<int:industry_id>/checklist")
@token_required
def api_checklist(industry_id: int):
    revision = catalogue.checklist(industry_id, request.args.get("revision", type=int))
    if revision is None:
        raise NotFound("该行业还没有检查清单")
    return ChecklistSchema().dump(revision)
