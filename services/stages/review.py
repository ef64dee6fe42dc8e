"""Performance review (绩效考核, 通报): figures per campaign and per department over a period, computed
from the tables with grouped queries, a weighted score with the supervisor's weights, and the review task.

A period covers the campaigns opened within it; every figure of those campaigns counts.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import case, distinct, func, select

from domain import results
from extensions import db
from forms.loader import FormContext
from domain.workdays import working_days_between
from models import (CalendarOverride, Campaign, CampaignDepartment, CampaignStage, Department, FollowUp, HumanTask, Inspection,
                    InspectionOfficer, Referral, Review, ReviewScheme, Transfer, User)
from services import audit
from services.org import scope
from services.portal import satisfaction
from services.stages import case_figures
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


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


# --- the aggregates, each one grouped query over a set of campaigns ---------------------------------

def _tasks(campaign_ids, by) -> dict:
    on_time = func.sum(case(((HumanTask.due_at.is_not(None)) & (HumanTask.completed_at <= HumanTask.due_at), 1), else_=0))
    late = func.sum(case(((HumanTask.due_at.is_not(None)) & (HumanTask.completed_at > HumanTask.due_at), 1), else_=0))
    rows = db.session.execute(select(by, func.count(), on_time, late).where(
        HumanTask.campaign_id.in_(campaign_ids), HumanTask.status == "completed").group_by(by)).all()
    return {k: {"tasks_completed": n, "tasks_on_time": int(o or 0), "tasks_late": int(l or 0)} for k, n, o, l in rows}


def _inspections_by_campaign(campaign_ids) -> dict:
    submitted = Inspection.status == "submitted"
    problem = submitted & Inspection.result_code.in_([c.code for c in results.CATEGORIES if c.problem])
    published = Inspection.published_at.is_not(None)
    rows = db.session.execute(select(
        Inspection.campaign_id, func.count(), func.sum(case((submitted, 1), else_=0)),
        func.sum(case((problem, 1), else_=0)), func.sum(case((published, 1), else_=0)),
        func.count(distinct(case((submitted, Inspection.enterprise_id)))),
    ).where(Inspection.campaign_id.in_(campaign_ids)).group_by(Inspection.campaign_id)).all()
    out = {cid: {"enterprises_drawn": n, "enterprises_inspected": int(s or 0), "problems": int(p or 0),
                 "published": int(pub or 0), "enterprises_checked": e} for cid, n, s, p, pub, e in rows}
    # Publication deadline is a civil date in China: compare the Beijing date of publication with it.
    for cid, published_at, due in db.session.execute(select(
            Inspection.campaign_id, Inspection.published_at, Inspection.publication_due).where(
            Inspection.campaign_id.in_(campaign_ids), Inspection.published_at.is_not(None))):
        row = out[cid]
        on_time = due is not None and clock.local_date(published_at) <= due
        row["published_on_time"] = row.get("published_on_time", 0) + int(on_time)
    return out


def _visits(campaign_ids, by_department: bool = False) -> dict:
    """Separate inspections need one visit per department per enterprise; a joint one needs one."""
    pairs = db.session.execute(select(Inspection.campaign_id, InspectionOfficer.inspection_id,
                                      InspectionOfficer.department_id)
                               .join(Inspection, Inspection.id == InspectionOfficer.inspection_id)
                               .where(Inspection.campaign_id.in_(campaign_ids), Inspection.status == "submitted")
                               .distinct()).all()
    out: dict = defaultdict(lambda: {"visits_separate": 0, "visits_joint": 0})
    joint: dict = defaultdict(set)
    for campaign_id, inspection_id, _ in pairs:
        out[campaign_id]["visits_separate"] += 1
        joint[campaign_id].add(inspection_id)
    for campaign_id, seen in joint.items():
        out[campaign_id]["visits_joint"] = len(seen)
    return dict(out)


def _coverage_by_department(campaign_ids) -> dict:
    """Per department: enterprises its officers were assigned to, and those inspected."""
    rows = db.session.execute(select(
        InspectionOfficer.department_id, func.count(distinct(InspectionOfficer.inspection_id)),
        func.count(distinct(case((Inspection.status == "submitted", InspectionOfficer.inspection_id)))))
        .join(Inspection, Inspection.id == InspectionOfficer.inspection_id)
        .where(Inspection.campaign_id.in_(campaign_ids)).group_by(InspectionOfficer.department_id)).all()
    return {d: {"inspections_assigned": a, "inspections_done": s} for d, a, s in rows}


def _follow_ups(campaign_ids) -> dict:
    rows = db.session.execute(select(FollowUp.campaign_id, func.count(),
                                     func.sum(case((FollowUp.status == "closed", 1), else_=0)))
                              .where(FollowUp.campaign_id.in_(campaign_ids)).group_by(FollowUp.campaign_id)).all()
    out = {cid: {"follow_ups": n, "follow_ups_closed": int(c or 0)} for cid, n, c in rows}
    transfers = db.session.execute(select(Transfer.campaign_id, func.count(),
                                          func.sum(case((Transfer.status == "acknowledged", 1), else_=0)))
                                   .where(Transfer.campaign_id.in_(campaign_ids)).group_by(Transfer.campaign_id)).all()
    for cid, n, c in transfers:
        row = out.setdefault(cid, {"follow_ups": 0, "follow_ups_closed": 0})
        row["follow_ups"] += n
        row["follow_ups_closed"] += int(c or 0)
    return out


def referral_figures(campaign_ids) -> dict:
    """Referrals (移交) per campaign and how many the receiving department decided by the deadline."""
    out: dict = {}
    for cid, decided_at, due_on in db.session.execute(
            select(Referral.campaign_id, Referral.decided_at, Referral.due_on).where(Referral.campaign_id.in_(campaign_ids))):
        row = out.setdefault(cid, {"referrals": 0, "referrals_in_time": 0})
        row["referrals"] += 1
        row["referrals_in_time"] += int(decided_at is not None and clock.local_date(decided_at) <= due_on)
    return out


STAGE_ORDER = ("plan", "initiation", "draw", "joint_inspection", "publication", "diagnosis", "follow_up", "review")


def stage_durations(campaign_ids) -> dict[int, list[dict]]:
    """Each campaign's stages as recorded (campaign_stage rows, in order): hours and working days spent, the
    stage still running counted up to now. A stage passed through more than once adds up."""
    now = clock.now()
    overrides = {row.day: row.working for row in db.session.scalars(select(CalendarOverride))}
    out: dict = defaultdict(dict)
    for cid, stage, entered, left in db.session.execute(select(
            CampaignStage.campaign_id, CampaignStage.stage, CampaignStage.entered_at, CampaignStage.left_at)
            .where(CampaignStage.campaign_id.in_(campaign_ids)).order_by(CampaignStage.id)):
        end = left or now
        span = out[cid].setdefault(stage, {"stage": stage, "hours": 0.0, "working_days": 0, "running": False})
        span["hours"] = round(span["hours"] + (end - entered).total_seconds() / 3600, 1)
        span["working_days"] += working_days_between(clock.local_date(entered), clock.local_date(end), overrides)
        span["running"] = left is None
    return {cid: list(stages.values()) for cid, stages in out.items()}


def _finish(row: dict) -> dict:
    """Derived percentages of one row of counts (a campaign, a department, a period)."""
    g = row.get
    row["problem_rate"] = pct(g("problems", 0), g("enterprises_inspected", 0)) or 0.0
    row["on_time_pct"] = pct(g("tasks_on_time", 0), g("tasks_on_time", 0) + g("tasks_late", 0))
    row["coverage_pct"] = pct(g("inspections_done", g("enterprises_inspected", 0)),
                              g("inspections_assigned", g("enterprises_drawn", 0)))
    row["published_on_time_pct"] = pct(g("published_on_time", 0), g("published", 0))
    row["follow_ups_closed_pct"] = pct(g("follow_ups_closed", 0), g("follow_ups", 0))
    row["referrals_in_time_pct"] = pct(g("referrals_in_time", 0), g("referrals", 0)) if "referrals" in row else None
    sep, joint = g("visits_separate", 0), g("visits_joint", 0)
    row["visits_saved_pct"] = pct(sep - joint, sep) or 0.0
    return row


def _campaign_rows(campaign_ids: list[int]) -> dict[int, dict]:
    rows: dict[int, dict] = {cid: {"tasks_completed": 0, "tasks_on_time": 0, "tasks_late": 0, "enterprises_drawn": 0,
                                   "enterprises_inspected": 0, "problems": 0, "published": 0, "published_on_time": 0,
                                   "follow_ups": 0, "follow_ups_closed": 0, "visits_separate": 0, "visits_joint": 0,
                                   "enterprises_checked": 0}
                             for cid in campaign_ids}
    for cid in campaign_ids:
        rows[cid].update(case_figures.EMPTY)
    referrals = referral_figures(campaign_ids)
    for part in (_tasks(campaign_ids, HumanTask.campaign_id), _inspections_by_campaign(campaign_ids),
                 _follow_ups(campaign_ids), _visits(campaign_ids), referrals, case_figures.by_campaign(campaign_ids)):
        for cid, values in part.items():
            rows[cid].update(values)
    for cid in campaign_ids:
        rows[cid].setdefault("referrals", 0)
        rows[cid].setdefault("referrals_in_time", 0)
        _finish(rows[cid])
    return rows


def campaign_figures(campaign: Campaign) -> dict:
    """One campaign's figures (the campaign page, the review task and the stored review)."""
    row = _campaign_rows([campaign.id])[campaign.id]
    row["results"] = {label: n for _, label, n in _results(campaign.id)}
    row["stages"] = stage_durations([campaign.id]).get(campaign.id, [])
    row.update(satisfaction.by_campaign([campaign.id]).get(campaign.id, {"ratings": 0, "satisfaction_mean": None}))
    return row


def _results(campaign_id: int):
    counts = dict(db.session.execute(select(Inspection.result_code, func.count()).where(
        Inspection.campaign_id == campaign_id, Inspection.status == "submitted").group_by(Inspection.result_code)).all())
    return [(c.code, c.zh, counts[c.code]) for c in results.CATEGORIES if counts.get(c.code)]


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
    rows = _campaign_rows(ids) if ids else {}
    weights = current_weights()
    due_ids = [c.id for c in campaigns if is_due(c)]
    for cid, row in rows.items():
        row["due"] = cid in due_ids
        row["score"] = score(row, weights) if row["due"] else None  # not yet due: nothing to answer for
    totals = _finish(_sum(rows.values()))
    totals["score"] = score(_finish(_sum(rows[cid] for cid in due_ids)), weights) if due_ids else None
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
    return _sum(_campaign_rows(ids).values()) if ids else {}


def _change(now: int, before: int) -> float | None:
    return round(100.0 * (now - before) / before, 1) if before else None


def _department_rows(campaign_ids: list[int], weights: dict, only: int | None,
                     cases: dict[int, dict]) -> list[tuple[Department, dict]]:
    """Scored over the due campaigns; `cases` (case figures per department) over all the period's campaigns, as
    the totals are, so that the rows add up to them."""
    if not campaign_ids and not cases:
        return []
    tasks = _tasks(campaign_ids, HumanTask.department_id)
    coverage = _coverage_by_department(campaign_ids)
    # A lead department answers for its campaigns' publication and follow-up.
    lead_of = dict(db.session.execute(select(Campaign.id, Campaign.lead_department_id)
                                      .where(Campaign.id.in_(campaign_ids))).all())
    per_campaign = _campaign_rows(campaign_ids)
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
        _finish(row)
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
    ordered = sorted(spans, key=lambda st: STAGE_ORDER.index(st) if st in STAGE_ORDER else len(STAGE_ORDER))
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
    figures = campaign_figures(ctx.campaign)
    weights = current_weights()
    figures["score"] = score(figures, weights)
    return FormContext(info={"figures": figures, "weights": weights})


def record_review(ctx, data: dict) -> dict:
    figures = campaign_figures(ctx.campaign)
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
