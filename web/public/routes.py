"""The public pages (公开), no login: published results, the year's 抽查计划 and the 随机抽查事项清单.

docs/disclosure.md says what may appear: results only once published, plans and matters before.
"""
from flask import Blueprint, render_template, request, send_file

from services import public_notice
from services.directory.export import XLSX_MIME
from services.stages import publication
from services.workflow import clock

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


@bp.get("/plan/")
def plan():
    """The year's 抽查计划 (default: the latest year with an approved entry)."""
    years = public_notice.plan_years()
    year = request.args.get("year", type=int) or (years[0] if years else clock.today().year)
    return render_template("public/plan.html", year=year, years=years, entries=public_notice.plan(year),
                           themed=public_notice.themed_actions(year))


@bp.get("/plan/<int:year>.xlsx")
def plan_xlsx(year: int):
    return send_file(public_notice.plan_xlsx(year), mimetype=XLSX_MIME, as_attachment=True,
                     download_name=f"plan-{year}.xlsx")


@bp.get("/matters/")
def matters():
    """The 随机抽查事项清单: every active matter with its legal basis and method."""
    return render_template("public/matters.html", matters=public_notice.matters(),
                           updated_on=public_notice.matters_updated_on())


@bp.get("/matters.xlsx")
def matters_xlsx():
    return send_file(public_notice.matters_xlsx(), mimetype=XLSX_MIME, as_attachment=True,
                     download_name="matters.xlsx")
