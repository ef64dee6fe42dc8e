"""What 双随机、一公开 publishes before anyone is inspected: the year's 抽查计划 and the 随机抽查事项清单.

Both identify no enterprise: a plan entry is an industry, its departments, matters, ratios per credit class,
method and timing (never its draw settings, whose targeted filters may name an address or a name); a matter
is a department's inspection item with its legal basis and method. Each carries the date it was published:
a plan entry when the supervisor approved it (下达), a matter when it entered the list.
"""
from dataclasses import dataclass
from datetime import date
from typing import IO

from sqlalchemy import func, select

from extensions import db
from models import Department, Matter, PlanEntry
from services.directory.export import write_xlsx
from services.stages import themes
from services.workflow import clock
from services.reading import read_only

CLASSES = ("A", "B", "C", "D")


@dataclass
class PublicPlanEntry:
    year: int
    industry: str
    lead_department: str
    partners: list[str]
    matters: list[str]
    ratios: dict[str, str]
    method: str
    timing: str
    published_on: date


@read_only
def plan_years() -> list[int]:
    return list(db.session.scalars(select(PlanEntry.year).where(PlanEntry.status == "approved")
                                   .distinct().order_by(PlanEntry.year.desc())))


@read_only
def plan(year: int) -> list[PublicPlanEntry]:
    entries = db.session.scalars(select(PlanEntry).where(PlanEntry.year == year, PlanEntry.status == "approved")
                                 .order_by(PlanEntry.approved_at, PlanEntry.id))
    return [PublicPlanEntry(e.year, f"{e.industry.code} {e.industry.name}", e.lead_department.name,
                            [d.name for d in e.partners], [m.name for m in e.matters],
                            {c: _ratio(e.ratios.get(c)) for c in CLASSES}, e.method, e.timing,
                            clock.local_date(e.approved_at)) for e in entries]


@read_only
def themed_actions(year: int) -> list:
    """The year's public themed actions (专项/板块) once approved: name, code, industries, area and window."""
    return themes.public_summaries(year)


def _ratio(value) -> str:
    if value is None:
        return ""
    return f"{float(value):g}%"


@read_only
def matters() -> list[tuple[Matter, Department]]:
    return list(db.session.execute(select(Matter, Department).join(Department, Department.id == Matter.department_id)
                                   .where(Matter.active.is_(True)).order_by(Department.id, Matter.code)).all())


@read_only
def matters_updated_on() -> date | None:
    latest = db.session.scalar(select(func.max(Matter.published_at)).where(Matter.active.is_(True)))
    return clock.local_date(latest) if latest else None


@read_only
def plan_xlsx(year: int) -> IO[bytes]:
    rows = ([e.industry, e.lead_department, "、".join(e.partners), "；".join(e.matters),
             *[e.ratios[c] for c in CLASSES], e.method, e.timing, e.published_on.isoformat()] for e in plan(year))
    return write_xlsx(f"{year}年度抽查计划", ["行业", "牵头部门", "配合部门", "抽查事项", "A类比例", "B类比例",
                                          "C类比例", "D类比例", "检查方式", "时间安排", "公布日期"], rows)


@read_only
def matters_xlsx() -> IO[bytes]:
    rows = ([d.name, m.code, m.name, m.legal_basis, m.method,
             clock.local_date(m.published_at).isoformat() if m.published_at else ""] for m, d in matters())
    return write_xlsx("随机抽查事项清单", ["部门", "事项编码", "抽查事项", "法律依据", "检查方式", "公布日期"], rows)
