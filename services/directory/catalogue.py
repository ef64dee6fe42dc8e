"""The catalogue: 监管事项清单 (matters per department), industries, their consolidation into joint
matters, and 一业一册一单 (one checklist and one compliance manual per industry).

Checklists are never edited in place: a change writes a new ChecklistRevision, and a campaign keeps the
revision it was opened with (Campaign.checklist_revision_id), so results stay tied to the items inspected.
"""
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from domain import industry_codes
from extensions import db
from models import ChecklistItem, ChecklistRevision, Department, Industry, Matter, User
from models.catalogue import industry_matter
from services import audit
from services.workflow import clock
from services.directory.listings import require_editor
from services.errors import Forbidden, NotFound, ValidationFailed
from services.lookup import get_or_404

METHODS = ("实地检查", "书面检查", "网络监测", "检验检测", "委托专业机构")
_QUESTION = re.compile(r"^(是否|有无)")


# --- matters -------------------------------------------------------------------------------------

def list_matters(department_id: int | None = None, q: str | None = None) -> list[Matter]:
    query = select(Matter).options(selectinload(Matter.department)).order_by(Matter.department_id, Matter.code)
    if department_id:
        query = query.where(Matter.department_id == department_id)
    if q:
        query = query.where(Matter.name.contains(q, autoescape=True) | Matter.legal_basis.contains(q, autoescape=True))
    return list(db.session.scalars(query))


def get_matter(matter_id: int) -> Matter:
    return get_or_404(Matter, matter_id, "监管事项不存在")


def matter_industries(matter_id: int) -> list[int]:
    return list(db.session.scalars(select(industry_matter.c.industry_id).where(industry_matter.c.matter_id == matter_id)))


def _clean_matter(data: dict) -> dict:
    errors, out = {}, {}
    for name, limit in (("code", 40), ("name", 200), ("legal_basis", 2000)):
        value = (data.get(name) or "").strip()
        if not value:
            errors[name] = ["此项必填"]
        elif len(value) > limit:
            errors[name] = [f"不超过 {limit} 字"]
        out[name] = value
    if data.get("method") not in METHODS:
        errors["method"] = [f"应为 {'、'.join(METHODS)} 之一"]
    out["method"] = data.get("method")
    out["requirement"] = (data.get("requirement") or "").strip() or None
    out["active"] = bool(data.get("active", True))
    if "leniency_basis" in data:  # 首违不罚 / 轻微免罚: kept as it is when a form does not send it
        out.update(_clean_leniency(data, errors))
    try:
        out["department_id"] = int(data.get("department_id"))
    except (TypeError, ValueError):
        errors["department_id"] = ["请选择部门"]
    try:
        out["industry_ids"] = sorted({int(i) for i in data.get("industry_ids") or []})
    except (TypeError, ValueError):
        errors["industry_ids"] = ["行业无效"]
    if errors:
        raise ValidationFailed(errors)
    if db.session.get(Department, out["department_id"]) is None:
        raise ValidationFailed({"department_id": ["部门不存在"]})
    known = set(db.session.scalars(select(Industry.id).where(Industry.id.in_(out["industry_ids"]))))
    if known != set(out["industry_ids"]):
        raise ValidationFailed({"industry_ids": ["行业不存在"]})
    return out


def _clean_leniency(data: dict, errors: dict) -> dict:
    basis = "\n".join(line.strip() for line in (data.get("leniency_basis") or "").splitlines() if line.strip())
    if len(basis) > 2000:
        errors["leniency_basis"] = ["不超过 2000 字"]
    months = data.get("leniency_months")
    if months in (None, ""):
        months = None
    else:
        try:
            months = int(months)
        except (TypeError, ValueError):
            months = 0
        if not 1 <= months <= 120:
            errors["leniency_months"] = ["期限应为 1–120 个月，留空则用平台默认"]
    return {"leniency_basis": basis or None, "leniency_months": months}


def save_matter(actor: User, data: dict, matter_id: int | None = None) -> Matter:
    """Create or update a matter; department admins only for their own department (both before and after)."""
    matter = get_matter(matter_id) if matter_id else Matter()
    require_editor(actor, matter.department_id if matter_id else actor.department_id)
    clean = _clean_matter(data)
    require_editor(actor, clean["department_id"])
    duplicate = db.session.scalar(select(Matter.id).where(Matter.code == clean["code"]))
    if duplicate and duplicate != matter_id:
        raise ValidationFailed({"code": ["事项编码已存在"]})
    industry_ids = clean.pop("industry_ids")
    for name, value in clean.items():
        setattr(matter, name, value)
    db.session.add(matter)
    db.session.flush()
    _link_industries(matter.id, industry_ids)
    audit.record(actor, "catalogue.matter_update" if matter_id else "catalogue.matter_create", "matter", matter.id,
                 **{k: v for k, v in clean.items() if k != "legal_basis"}, industry_ids=industry_ids)
    db.session.commit()
    return matter


def _link_industries(matter_id: int, industry_ids: list[int]) -> None:
    db.session.execute(industry_matter.delete().where(industry_matter.c.matter_id == matter_id))
    if industry_ids:
        db.session.execute(industry_matter.insert(), [{"industry_id": i, "matter_id": matter_id} for i in industry_ids])
    db.session.expire_all()


# --- industries and consolidation ----------------------------------------------------------------

def list_industries() -> list[Industry]:
    return list(db.session.scalars(select(Industry).options(selectinload(Industry.matters).selectinload(Matter.department))
                                   .order_by(Industry.code)))


def get_industry(industry_id: int) -> Industry:
    return get_or_404(Industry, industry_id, "行业不存在")


def save_industry(actor: User, data: dict) -> Industry:
    """Add an industry (GB/T 4754 code); industries span departments, so only admins add them."""
    if not actor.has_role("admin"):
        raise Forbidden("只有系统管理员可以维护行业目录")
    code, name = (data.get("code") or "").strip(), (data.get("name") or "").strip()
    errors = {}
    if (reason := industry_codes.problem(code)) is not None:
        errors["code"] = [reason]
    elif db.session.scalar(select(Industry.id).where(Industry.code == code)):
        errors["code"] = [f"行业代码 {code} 已存在"]
    if not name or len(name) > 100:
        errors["name"] = ["行业名称必填，不超过 100 字"]
    if errors:
        raise ValidationFailed(errors)
    industry = Industry(code=code, name=name)
    db.session.add(industry)
    db.session.flush()
    audit.record(actor, "catalogue.industry_create", "industry", industry.id, code=code, name=name)
    db.session.commit()
    return industry


def section_label(code: str) -> str:
    found = industry_codes.section(code)
    return f"{found[0]} {found[1]}" if found else "—"


@dataclass
class Consolidation:
    """蕲春's figures: separate department plans before, per-industry joint matters after."""
    plans_before: int          # department x matter x industry: each department planned each matter per industry
    department_industry_pairs: int  # separate visits: each department going to each industry on its own
    departments: int
    industries_after: int
    matters_after: int
    rows: list = field(default_factory=list)  # (industry, [departments], matter count)

    @property
    def visits_saved(self) -> int:
        return self.department_industry_pairs - self.industries_after


def consolidation() -> Consolidation:
    links = db.session.execute(select(industry_matter.c.industry_id, Matter.id, Matter.department_id)
                               .join(Matter, Matter.id == industry_matter.c.matter_id)
                               .where(Matter.active.is_(True))).all()
    industries = {i.id: i for i in db.session.scalars(select(Industry).order_by(Industry.code))}
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    per_industry: dict[int, dict] = defaultdict(lambda: {"departments": set(), "matters": set()})
    for industry_id, matter_id, department_id in links:
        per_industry[industry_id]["departments"].add(department_id)
        per_industry[industry_id]["matters"].add(matter_id)
    rows = [(industries[i], sorted((departments[d] for d in v["departments"]), key=lambda d: d.id), len(v["matters"]))
            for i, v in sorted(per_industry.items(), key=lambda kv: industries[kv[0]].code)]
    return Consolidation(
        plans_before=len(links),
        department_industry_pairs=sum(len(v["departments"]) for v in per_industry.values()),
        departments=len({d for _, _, d in links}), industries_after=len(per_industry),
        matters_after=len({m for _, m, _ in links}), rows=rows)


# --- 一业一册一单 ----------------------------------------------------------------------------------

def revisions(industry_id: int) -> list[ChecklistRevision]:
    return list(db.session.scalars(select(ChecklistRevision).where(ChecklistRevision.industry_id == industry_id)
                                   .order_by(ChecklistRevision.number.desc())))


def checklist(industry_id: int, number: int | None = None) -> ChecklistRevision | None:
    query = select(ChecklistRevision).where(ChecklistRevision.industry_id == get_industry(industry_id).id).options(
        selectinload(ChecklistRevision.items).selectinload(ChecklistItem.matter).selectinload(Matter.department))
    if number is not None:
        revision = db.session.scalar(query.where(ChecklistRevision.number == number))
        if revision is None:
            raise NotFound("检查清单版本不存在")
        return revision
    return db.session.scalar(query.order_by(ChecklistRevision.number.desc()).limit(1))


def obligation(text: str) -> str:
    """An inspector's question turned into what the enterprise must do: 是否建立… → 建立…"""
    return _QUESTION.sub("", text.strip())


@dataclass
class ManualSection:
    department: Department
    matters: list  # (matter, [obligations])


def manual(industry_id: int) -> tuple[Industry, ChecklistRevision | None, list[ManualSection]]:
    """The compliance manual (合规手册): per department, each matter's legal basis and what to do."""
    industry = get_industry(industry_id)
    revision = checklist(industry_id)
    duties: dict[int, list[str]] = defaultdict(list)
    for item in revision.items if revision else []:
        duties[item.matter_id].append(obligation(item.text))
    sections: dict[int, ManualSection] = {}
    for matter in sorted(industry.matters, key=lambda m: (m.department_id, m.code)):
        if not matter.active:
            continue
        section = sections.setdefault(matter.department_id, ManualSection(matter.department, []))
        section.matters.append((matter, duties.get(matter.id, [])))
    return industry, revision, list(sections.values())


def revise_checklist(actor: User, industry_id: int, items: list[dict], note: str | None) -> ChecklistRevision:
    """Write a new revision. Department admins may change only their own department's items."""
    industry = get_industry(industry_id)
    current = checklist(industry_id)
    allowed = {m.id: m for m in industry.matters}
    errors, clean = {}, []
    for position, item in enumerate(items, start=1):
        text = (item.get("text") or "").strip()
        if not text:
            continue
        matter_id = _as_int(item.get("matter_id"))
        if matter_id not in allowed:
            errors[f"items.{position}"] = ["检查事项不属于该行业"]
        elif len(text) > 500:
            errors[f"items.{position}"] = ["检查内容不超过 500 字"]
        else:
            clean.append((matter_id, text))
    if not clean and not errors:
        errors["items"] = ["检查清单至少需要一项"]
    if errors:
        raise ValidationFailed(errors)
    old = [(i.matter_id, i.text) for i in current.items] if current else []
    changed = {allowed[m].department_id for m, _t in set(old) ^ set(clean)}
    if not changed and len(old) == len(clean):
        raise ValidationFailed({"items": ["检查清单没有变化"]})
    for department_id in changed or {None}:
        require_editor(actor, department_id)
    revision = ChecklistRevision(industry_id=industry.id, number=(current.number if current else 0) + 1,
                                 created_at=clock.now(), created_by_id=actor.id, note=(note or "").strip() or None,
                                 items=[ChecklistItem(matter_id=m, text=t, position=p)
                                        for p, (m, t) in enumerate(clean, start=1)])
    db.session.add(revision)
    db.session.flush()
    audit.record(actor, "catalogue.checklist_revise", "checklist_revision", revision.id, industry_id=industry.id,
                 number=revision.number, previous=current.id if current else None, items=len(clean))
    db.session.commit()
    return revision


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def counts_by_industry() -> dict[int, int]:
    return dict(db.session.execute(select(industry_matter.c.industry_id, func.count())
                                   .group_by(industry_matter.c.industry_id)).all())


# --- 智能发起: what the catalogue proposes for a campaign ---------------------------------------------

@dataclass
class Proposal:
    partners: list[Department]
    matters: list[Matter]
    revision: ChecklistRevision | None
    by_department: list  # (department, [matters]) for the lead and each proposed partner
    left_out: list[Department]  # departments regulating the industry beyond the limit


def propose(industry: Industry, lead_department_id: int, max_departments: int) -> Proposal:
    """Partners are the departments regulating the industry, most matters first ("谁主管、谁牵头",
    "三不": at most max_departments with the lead); matters are theirs and the lead's."""
    active = [m for m in industry.matters if m.active]
    per_department: dict[int, list[Matter]] = defaultdict(list)
    for matter in active:
        per_department[matter.department_id].append(matter)
    ranked = sorted((d for d in per_department if d != lead_department_id),
                    key=lambda d: (-len(per_department[d]), d))
    chosen, left = ranked[:max(0, max_departments - 1)], ranked[max(0, max_departments - 1):]
    departments = {d.id: d for d in db.session.scalars(select(Department).where(
        Department.id.in_([lead_department_id, *ranked])))}
    involved = [lead_department_id, *chosen]
    return Proposal(
        partners=[departments[d] for d in chosen],
        matters=[m for m in active if m.department_id in involved],
        revision=checklist(industry.id),
        by_department=[(departments[d], per_department.get(d, [])) for d in involved if d in departments],
        left_out=[departments[d] for d in left])
