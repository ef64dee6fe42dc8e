"""A campaign's figures for the performance review (绩效考核): tasks on time, coverage, publication, follow-up,
referrals, visits saved, cases, stage durations; each one grouped query over a set of campaigns, so a period's
campaigns cost as many queries as one campaign's (services/stages/review.py scores and sums them)."""
from collections import defaultdict

from sqlalchemy import case, distinct, func, select

from domain import results
from domain.workdays import working_days_between
from extensions import db
from models import (CalendarOverride, Campaign, CampaignStage, FollowUp, HumanTask, Inspection, InspectionOfficer,
                    Referral, Transfer)
from services.portal import satisfaction
from services.stages import case_figures
from services.workflow import clock


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def tasks_by(campaign_ids, by) -> dict:
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


def coverage_by_department(campaign_ids) -> dict:
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


def finish(row: dict) -> dict:
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


def campaign_rows(campaign_ids: list[int]) -> dict[int, dict]:
    rows: dict[int, dict] = {cid: {"tasks_completed": 0, "tasks_on_time": 0, "tasks_late": 0, "enterprises_drawn": 0,
                                   "enterprises_inspected": 0, "problems": 0, "published": 0, "published_on_time": 0,
                                   "follow_ups": 0, "follow_ups_closed": 0, "visits_separate": 0, "visits_joint": 0,
                                   "enterprises_checked": 0}
                             for cid in campaign_ids}
    for cid in campaign_ids:
        rows[cid].update(case_figures.EMPTY)
    referrals = referral_figures(campaign_ids)
    for part in (tasks_by(campaign_ids, HumanTask.campaign_id), _inspections_by_campaign(campaign_ids),
                 _follow_ups(campaign_ids), _visits(campaign_ids), referrals, case_figures.by_campaign(campaign_ids)):
        for cid, values in part.items():
            rows[cid].update(values)
    for cid in campaign_ids:
        rows[cid].setdefault("referrals", 0)
        rows[cid].setdefault("referrals_in_time", 0)
        finish(rows[cid])
    return rows


def campaign_figures(campaign: Campaign) -> dict:
    """One campaign's figures (the campaign page, the review task and the stored review)."""
    row = campaign_rows([campaign.id])[campaign.id]
    row["results"] = {label: n for _, label, n in _results(campaign.id)}
    row["stages"] = stage_durations([campaign.id]).get(campaign.id, [])
    row.update(satisfaction.by_campaign([campaign.id]).get(campaign.id, {"ratings": 0, "satisfaction_mean": None}))
    return row


def _results(campaign_id: int):
    counts = dict(db.session.execute(select(Inspection.result_code, func.count()).where(
        Inspection.campaign_id == campaign_id, Inspection.status == "submitted").group_by(Inspection.result_code)).all())
    return [(c.code, c.zh, counts[c.code]) for c in results.CATEGORIES if counts.get(c.code)]
