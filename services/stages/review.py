"""Performance review (绩效考核, 通报): figures per campaign (services/stages/review_figures.py) and per
department over a period, a weighted score with the supervisor's weights, and the review task.

A period covers the campaigns opened within it; every figure of those campaigns counts.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import select

from extensions import db
from forms.loader import FormContext
from models import Campaign, CampaignDepartment, CampaignStage, Department, HumanTask, Review, ReviewScheme, User
from services import audit
from services.org import scope
from services.stages import case_figures, review_figures
from services.workflow import clock
from services.supervision import dashboard
from services.errors import Forbidden, ValidationFailed
from services.reading import read_only

# metric -> (label, default weight); the supervisor sets the weights (review_scheme).
METRICS = {
    "on_time_pct": ("任务按时办结率", 30),
    "coverage_pct": ("检查任务完成率", 20),
    "published_on_time_pct": ("按期公示率", 20),
    "follow_ups_closed_pct": ("后续监管办结率", 15),
    "referrals_in_time_pct": ("移交按时签收率", 5),
    "visits_saved_pct": ("减少上门比例", 10),
}


# --- the period review -------------------------------------------------------------------------------

@dataclass
class PeriodReview:
    start: date
    end: date
    weights: dict
    campaigns: list[tuple[Campaign, dict]]
    departments: list[tuple[Department, dict]]
    totals: dict
    stage_medians: dict[str, float]
    previous_totals: dict
    change: dict = field(default_factory=dict)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    # Periods are civil dates in China; stored times are naive UTC.
    return (datetime.combine(start, datetime.min.time()) - clock.BEIJING_OFFSET,
            datetime.combine(end + timedelta(days=1), datetime.min.time()) - clock.BEIJING_OFFSET)


def _campaigns_in(start: date, end: date, department_id: int | None = None, user: User | None = None) -> list[Campaign]:
    """The period's campaigns of the user's subtree (by the campaign's region): a city sums its districts."""
    lo, hi = _bounds(start, end)
    query = select(Campaign).where(Campaign.created_at >= lo, Campaign.created_at < hi, Campaign.status != "rejected")
    if user is not None:
        query = query.where(scope.clause(user, Campaign.region_id))
    if department_id is not None:
        query = query.where(Campaign.departments.any(CampaignDepartment.department_id == department_id))
    return list(db.session.scalars(query.order_by(Campaign.id)))


def _sum(rows) -> dict:
    total: dict = defaultdict(int)
    for row in rows:
        for key, value in row.items():
            if isinstance(value, int) and not isinstance(value, bool) and not key.endswith("_pct"):
                total[key] += value
    return dict(total)


@read_only
def period_review(user: User, start: date, end: date, department_id: int | None = None) -> PeriodReview:
    if not user.has_role("supervisor", "admin"):
        raise Forbidden("绩效考核仅限联席会办公室查看")
    if end < start:
        raise ValidationFailed({"end": ["结束日期不能早于开始日期"]})
    campaigns = _campaigns_in(start, end, department_id, user)
    ids = [c.id for c in campaigns]
    rows = review_figures.campaign_rows(ids) if ids else {}
    weights = current_weights()
    due_ids = [c.id for c in campaigns if is_due(c)]
    for cid, row in rows.items():
        row["due"] = cid in due_ids
        row["score"] = score(row, weights) if row["due"] else None  # not yet due: nothing to answer for
    totals = review_figures.finish(_sum(rows.values()))
    totals["score"] = score(review_figures.finish(_sum(rows[cid] for cid in due_ids)), weights) if due_ids else None
    previous = _previous_year(start, end, department_id, user)
    return PeriodReview(
        start=start, end=end, weights=weights, campaigns=[(c, rows[c.id]) for c in campaigns],
        departments=[(d, row) for d, row in _department_rows(due_ids, weights, department_id,
                                                             case_figures.by_department(ids) if ids else {})
                     if scope.covers(user, d.region_id)], totals=totals,
        stage_medians=_stage_medians(ids), previous_totals=previous,
        change={key: _change(totals.get(key, 0), previous.get(key, 0))
                for key in ("visits_joint", "enterprises_checked", "visits_separate")})


def _previous_year(start: date, end: date, department_id: int | None, user: User) -> dict:
    try:
        start, end = start.replace(year=start.year - 1), end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        start, end = start - timedelta(days=365), end - timedelta(days=365)
    ids = [c.id for c in _campaigns_in(start, end, department_id, user)]
    return _sum(review_figures.campaign_rows(ids).values()) if ids else {}


def _change(now: int, before: int) -> float | None:
    return round(100.0 * (now - before) / before, 1) if before else None


def _department_rows(campaign_ids: list[int], weights: dict, only: int | None,
                     cases: dict[int, dict]) -> list[tuple[Department, dict]]:
    """Scored over the due campaigns; `cases` (case figures per department) over all the period's campaigns, as
    the totals are, so that the rows add up to them."""
    if not campaign_ids and not cases:
        return []
    tasks = review_figures.tasks_by(campaign_ids, HumanTask.department_id)
    coverage = review_figures.coverage_by_department(campaign_ids)
    # A lead department answers for its campaigns' publication and follow-up.
    lead_of = dict(db.session.execute(select(Campaign.id, Campaign.lead_department_id)
                                      .where(Campaign.id.in_(campaign_ids))).all())
    per_campaign = review_figures.campaign_rows(campaign_ids)
    led: dict = defaultdict(list)
    for cid, row in per_campaign.items():
        led[lead_of[cid]].append(row)
    declined = _declined(campaign_ids, per_campaign, coverage)
    department_ids = sorted((set(tasks) | set(coverage) | set(led) | set(declined) | set(cases)) - {None})
    if only is not None:
        department_ids = [d for d in department_ids if d == only]
    out = []
    for department_id in department_ids:
        lead_sum = _sum(led.get(department_id, []))
        row = {**{k: lead_sum.get(k, 0) for k in ("published", "published_on_time", "follow_ups", "follow_ups_closed",
                                                  "visits_separate", "visits_joint")},
               **tasks.get(department_id, {"tasks_completed": 0, "tasks_on_time": 0, "tasks_late": 0}),
               **coverage.get(department_id, {"inspections_assigned": 0, "inspections_done": 0}),
               "campaigns_led": len(led.get(department_id, [])), "campaigns_declined": declined.get(department_id, 0),
               **cases.get(department_id, case_figures.EMPTY)}
        review_figures.finish(row)
        if row["visits_separate"] == 0:
            row["visits_saved_pct"] = None  # visits are counted for the departments leading campaigns
        row["score"] = score(row, weights)
        out.append((db.session.get(Department, department_id), row))
    return out


def is_due(campaign: Campaign) -> bool:
    """Rule 1 of the review scheme: a campaign is scored once it has something to answer for: when it is
    completed or in its review, or as soon as one of its deadlines has passed (the dashboard's lateness rule).
    A campaign still running within its deadlines is listed but not scored."""
    if campaign.status == "completed" or campaign.stage in ("review", "closed"):
        return True
    return campaign.status == "active" and dashboard.is_late(campaign.id)


def _declined(campaign_ids: list[int], per_campaign: dict, coverage: dict) -> dict[int, int]:
    """Rule 2 of the review scheme: a partner department that declines a campaign it was called to (不参加)
    counts every enterprise drawn in it (at least one) as assigned to it and not inspected, so its 检查任务完成率
    falls; answering the call on time still counts as a task done on time. Returns declines per department."""
    counts: dict[int, int] = defaultdict(int)
    for department_id, cid in db.session.execute(select(CampaignDepartment.department_id, CampaignDepartment.campaign_id)
                                                 .where(CampaignDepartment.campaign_id.in_(campaign_ids),
                                                        CampaignDepartment.role == "partner",
                                                        CampaignDepartment.status == "declined")):
        row = coverage.setdefault(department_id, {"inspections_assigned": 0, "inspections_done": 0})
        row["inspections_assigned"] += max(per_campaign.get(cid, {}).get("enterprises_drawn", 0), 1)
        counts[department_id] += 1
    return dict(counts)


def _stage_medians(campaign_ids: list[int]) -> dict[str, float]:
    """Median hours of each finished stage, in the loop's order."""
    spans: dict = defaultdict(list)
    for stage, entered, left in db.session.execute(select(CampaignStage.stage, CampaignStage.entered_at,
                                                          CampaignStage.left_at).where(
            CampaignStage.campaign_id.in_(campaign_ids or [0]), CampaignStage.left_at.is_not(None))):
        spans[stage].append((left - entered).total_seconds() / 3600)
    order = review_figures.STAGE_ORDER
    ordered = sorted(spans, key=lambda st: order.index(st) if st in order else len(order))
    return {stage: round(median(spans[stage]), 1) for stage in ordered}


# --- scoring -----------------------------------------------------------------------------------------

def current_weights() -> dict[str, float]:
    scheme = db.session.scalars(select(ReviewScheme).order_by(ReviewScheme.id.desc()).limit(1)).first()
    return dict(scheme.weights) if scheme else {k: float(w) for k, (_, w) in METRICS.items()}


def weights_to_edit(user: User) -> dict[str, float]:
    """The weights form's values: the current ones, for the supervisor who sets them."""
    _require_weight_setter(user)
    return current_weights()


def set_weights(user: User, weights: dict) -> ReviewScheme:
    _require_weight_setter(user)
    clean, errors = {}, {}
    for key in METRICS:
        try:
            value = float(weights.get(key, 0) or 0)
        except (TypeError, ValueError):
            errors[key] = ["权重应为数字"]
            continue
        if not 0 <= value <= 100:
            errors[key] = ["权重应在 0–100 之间"]
        clean[key] = value
    if not errors and sum(clean.values()) <= 0:
        errors["_schema"] = ["权重之和应大于 0"]
    if errors:
        raise ValidationFailed(errors)
    scheme = ReviewScheme(weights=clean, set_by_id=user.id, set_at=clock.now())
    db.session.add(scheme)
    db.session.flush()
    audit.record(user, "review.weights", "review_scheme", scheme.id, weights=clean)
    db.session.commit()
    return scheme


def _require_weight_setter(user: User) -> None:
    if not user.has_role("supervisor"):
        raise Forbidden("只有联席会办公室可以设置考核权重")


def score(row: dict, weights: dict) -> float | None:
    """Weighted mean of the available percentages (a figure with nothing to measure drops out)."""
    parts = [(weights.get(k, 0), row.get(k)) for k in METRICS if row.get(k) is not None and weights.get(k, 0) > 0]
    total = sum(w for w, _ in parts)
    return round(sum(w * v for w, v in parts) / total, 1) if total else None


# --- the review task -----------------------------------------------------------------------------------

def review_context(ctx) -> FormContext:
    figures = review_figures.campaign_figures(ctx.campaign)
    weights = current_weights()
    figures["score"] = score(figures, weights)
    return FormContext(info={"figures": figures, "weights": weights})


def record_review(ctx, data: dict) -> dict:
    figures = review_figures.campaign_figures(ctx.campaign)
    weights = current_weights()
    review = Review(campaign_id=ctx.campaign.id, figures=figures, score=score(figures, weights), weights=weights,
                    comments=data["comments"], closed_by_id=ctx.user.id, closed_at=clock.now())
    db.session.add(review)
    db.session.flush()
    audit.record(ctx.user, "review.close", "review", review.id, campaign_id=ctx.campaign.id, score=review.score)
    return {}


def stored_review(campaign_id: int) -> Review | None:
    return db.session.scalars(select(Review).where(Review.campaign_id == campaign_id)).first()


def departments(user: User | None = None) -> list[Department]:
    query = select(Department).order_by(Department.id)
    if user is not None:
        query = query.where(scope.clause(user, Department.region_id))
    return list(db.session.scalars(query))
