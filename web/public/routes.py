"""The public page (公示): published results, no login."""
from flask import Blueprint, render_template, request

from services.stages import publication

bp = Blueprint("public", __name__, url_prefix="/public")


@bp.get("/")
def index():
    query = publication.PublicQuery(text=request.args.get("q", "")[:100], campaign=request.args.get("campaign", "")[:60],
                                    department_id=request.args.get("department", type=int),
                                    region=request.args.get("region", "")[:12])
    page = request.args.get("page", 1, type=int) or 1
    rows, total = publication.search_public(query, page)
    return render_template("public/index.html", rows=rows, total=total, query=query, page=page,
                           page_size=publication.PAGE_SIZE, filters=publication.public_filters())


@bp.get("/<region>/")
def region(region: str):
    """One region's public page; a two-region campaign appears on both."""
    query = publication.PublicQuery(text=request.args.get("q", "")[:100], region=region[:12])
    page = request.args.get("page", 1, type=int) or 1
    rows, total = publication.search_public(query, page)
    return render_template("public/index.html", rows=rows, total=total, query=query, page=page,
                           page_size=publication.PAGE_SIZE, filters=publication.public_filters())
