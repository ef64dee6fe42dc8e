"""Drive one whole campaign through every stage, as the people who would do each step.

Every step goes through the same use cases the pages and the API call (plans, tasks.complete),
so validation, authorization and auditing are exercised, not bypassed.
"""
import math
import random
from collections import Counter
from typing import Callable

from sqlalchemy import select

from extensions import db
from models import Campaign, Department, HumanTask, Industry, InspectionSignoff, User, UserRole
from services.workflow import clock
from services.draw import stage as draw
from services.stages import plans
from services.workflow import tasks
from services.errors import DomainError


def ratios_for(counts: dict[str, int], wanted: int) -> dict[str, float]:
    """Per-class percentages whose rounded-up sample sizes add up to exactly `wanted`."""
    total = sum(counts.values())
    if wanted < 1 or wanted > total:
        raise DomainError(f"抽取户数应在 1–{total} 之间")
    shares = {c: wanted * n / total for c, n in counts.items()}
    alloc = {c: math.floor(s) for c, s in shares.items()}
    for c in sorted(shares, key=lambda c: shares[c] - alloc[c], reverse=True)[: wanted - sum(alloc.values())]:
        alloc[c] += 1
    # Round the percentage down at 4 decimals: ceil(n * ratio / 100) then lands on alloc exactly.
    ratios = {c: math.floor(alloc[c] / counts[c] * 100 * 10_000) / 10_000 if counts[c] else 0.0 for c in counts}
    return {c: ratios.get(c, 0.0) for c in ("A", "B", "C", "D")}


STAGES = ("发起", "报到", "联合检查", "复核签字", "公示", "会诊", "整改", "考核")


def simulate(enterprises: int, say: Callable[[str], None] = print, seed: int = 1,
             until: str | None = None) -> Campaign:
    """Drive one campaign through the same services as the pages; `until` stops after that stage (a label of
    STAGES), leaving the campaign live there (the demo uses this for campaigns in progress)."""
    rng = random.Random(seed)
    supervisor = _user_with_role("supervisor")
    industry, lead = _busiest_scope()
    partners = _partners(industry, lead)
    counts = draw.candidate_counts(industry.id, lead.region_id)
    ratios = ratios_for(counts, enterprises)
    entry = plans.create_entry(supervisor, {
        "year": clock.today().year, "industry_id": industry.id, "lead_department_id": lead.id,
        "partner_department_ids": [p.id for p in partners], "matter_ids": [m.id for m in industry.matters],
        "ratios": ratios, "method": "实地检查", "timing": "模拟", "result_handling": None,
        "draw_settings": {"zero_reasons": {c: "模拟：按目标户数分配" for c, v in ratios.items() if not v}},
    })
    plans.approve_entry(supervisor, entry.id)
    campaign = db.session.scalars(select(Campaign).where(Campaign.plan_entry_id == entry.id)).one()
    say(f"[计划] {campaign.code} {industry.name}，牵头 {lead.name}，配合 {len(partners)} 个部门")
    steps = (
        ("initiation", {"partner_department_ids": [p.id for p in partners],
                        "matter_ids": [m.id for m in industry.matters]}),
        ("partner_confirmation", {"decision": "confirm"}),
        ("joint_inspection", lambda view: _inspection(view, rng)),
        ("joint_inspection", lambda view: _inspection(view, rng)),  # the second officer countersigns
        ("publication_approval", lambda view: {"results": [{"key": r.key, "decision": "publish"}
                                                            for r in view.context.rows["publication_inspections"]]}),
        ("diagnosis", _diagnosis),
        ("rectification", {"rectified": "yes", "rectification": "已按要求整改"}),
        ("performance_review", {"comments": "模拟考核完成"}),
    )
    for label, (form_key, data) in zip(STAGES, steps):
        if form_key == "diagnosis":  # 全科会诊: the partner departments' (and experts') opinions come first
            _complete_stage(campaign, "diagnosis_opinion", _opinion, lambda _: None, label)
        _complete_stage(campaign, form_key, data, say, label)
        if label == "报到":
            say(f"[抽取] 抽中 {len(_open_tasks(campaign, 'joint_inspection'))} 户，检查任务已派发")
        if label == until:
            break
    db.session.refresh(campaign)
    say(f"[完成] {campaign.code} 状态：{campaign.status}")
    return campaign


def _complete_stage(campaign: Campaign, form_key: str, data, say, label: str) -> None:
    done = 0
    for task in _open_tasks(campaign, form_key):
        actor = _actor_for(task)
        payload = data(tasks.task_form(actor, task.id)) if callable(data) else data
        tasks.complete(actor, task.id, payload)
        done += 1
    say(f"[{label}] 办理 {done} 项")


def _inspection(view: tasks.TaskForm, rng: random.Random) -> dict:
    rows = view.context.rows["checklist_items"]
    items = [{"key": r.key, "result": "fail" if rng.random() < 0.02 else "pass", "note": None} for r in rows]
    failed = any(i["result"] == "fail" for i in items)
    return {"items": items, "result_code": "02" if failed else "01", "problem_domain": "04" if failed else None,
            "method": "实地检查", "inspected_on": clock.today().isoformat(), "summary": "模拟检查"}


def _opinion(view: tasks.TaskForm) -> dict:
    return {"opinions": [{"key": r.key, "opinion": "同意按系统建议处置"} for r in view.context.rows["opinion_inspections"]],
            "sign": True}


def _diagnosis(view: tasks.TaskForm) -> dict:
    rows = view.context.rows["problem_inspections"]
    handling = [{"key": r.key, **view.context.initial["handling"][r.key], "note": None} for r in rows]
    return {"assessment": f"共 {len(rows)} 户发现问题，按建议分类处置", "handling": handling}


def _open_tasks(campaign: Campaign, form_key: str) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(
        HumanTask.campaign_id == campaign.id, HumanTask.form_key == form_key, HumanTask.status == "open")
        .order_by(HumanTask.id)))


def _actor_for(task: HumanTask) -> User:
    if task.candidates:  # two-officer rule: the next officer who has not signed yet
        signed = set(db.session.scalars(select(InspectionSignoff.user_id).where(
            InspectionSignoff.inspection_id == task.inspection_id))) if task.inspection_id else set()
        return db.session.get(User, next(c.user_id for c in task.candidates if c.user_id not in signed))
    query = select(User).join(UserRole).where(UserRole.role == (task.role or "official"), User.active.is_(True))
    if task.department_id is not None:
        query = query.where(User.department_id == task.department_id)
    return db.session.scalars(query.order_by(User.id)).first()


def _user_with_role(role: str) -> User:
    return db.session.scalars(select(User).join(UserRole).where(UserRole.role == role).order_by(User.id)).first()


def _busiest_scope() -> tuple[Industry, Department]:
    """The industry with the most matters (the most departments involved), led by the department holding most of them."""
    industries = db.session.scalars(select(Industry).order_by(Industry.id)).all()
    best = max(industries, key=lambda i: len(i.matters))
    lead_id = Counter(m.department_id for m in best.matters).most_common(1)[0][0]
    return best, db.session.get(Department, lead_id)


def _partners(industry: Industry, lead: Department) -> list[Department]:
    ids = sorted({m.department_id for m in industry.matters} - {lead.id})[:4]
    return [db.session.get(Department, i) for i in ids]
