"""Performance review (绩效考核): a campaign's figures, computed from the tables."""
from collections import Counter

from sqlalchemy import select

from domain import results
from extensions import db
from forms.loader import FormContext
from models import Campaign, FollowUp, HumanTask, Inspection, InspectionOfficer, Review
from services import audit, clock, registry


def campaign_figures(campaign: Campaign) -> dict:
    inspections = list(db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign.id)))
    submitted = [i for i in inspections if i.status == "submitted"]
    problems = [i for i in submitted if results.is_problem(i.result_code)]
    tasks = list(db.session.scalars(select(HumanTask).where(
        HumanTask.campaign_id == campaign.id, HumanTask.status == "completed")))
    timed = [t for t in tasks if t.due_at is not None]
    on_time = sum(1 for t in timed if t.completed_at <= t.due_at)
    follow_ups = list(db.session.scalars(select(FollowUp).join(Inspection).where(Inspection.campaign_id == campaign.id)))
    separate, joint = _visits(campaign)
    return {
        "enterprises_drawn": len(inspections),
        "enterprises_inspected": len(submitted),
        "problems": len(problems),
        "problem_rate": _pct(len(problems), len(submitted)),
        "results": dict(Counter(results.category(i.result_code).zh for i in submitted)),
        "tasks_completed": len(tasks),
        "tasks_on_time": on_time,
        "tasks_late": len(timed) - on_time,
        "published": sum(1 for i in submitted if i.published_at is not None),
        "published_on_time": sum(1 for i in submitted if i.published_at and i.published_at.date() <= i.publication_due),
        "follow_ups": len(follow_ups),
        "follow_ups_closed": sum(1 for f in follow_ups if f.status == "closed"),
        "visits_separate": separate,
        "visits_joint": joint,
        "visits_saved_pct": _pct(separate - joint, separate),
        "stage_hours": _stage_hours(campaign),
    }


def _visits(campaign: Campaign) -> tuple[int, int]:
    """Separate inspections would need one visit per department per enterprise; a joint one needs one."""
    rows = db.session.execute(select(InspectionOfficer.inspection_id, InspectionOfficer.department_id)
                              .join(Inspection).where(Inspection.campaign_id == campaign.id,
                                                      Inspection.status == "submitted").distinct()).all()
    separate = len(rows)
    joint = len({inspection_id for inspection_id, _ in rows})
    return separate, joint


def _stage_hours(campaign: Campaign) -> dict:
    now = clock.now()
    hours: dict[str, float] = {}
    for stage in campaign.stages:
        end = stage.left_at or now
        hours[stage.stage] = round(hours.get(stage.stage, 0) + (end - stage.entered_at).total_seconds() / 3600, 2)
    return hours


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@registry.form_context("performance_review")
def _context(ctx) -> FormContext:
    return FormContext(info={"figures": campaign_figures(ctx.campaign)})


@registry.form_handler("performance_review")
def _close(ctx, data: dict) -> dict:
    review = Review(campaign_id=ctx.campaign.id, figures=campaign_figures(ctx.campaign), comments=data["comments"],
                    closed_by_id=ctx.user.id, closed_at=clock.now())
    db.session.add(review)
    db.session.flush()
    audit.record(ctx.user, "review.close", "review", review.id, campaign_id=ctx.campaign.id)
    return {}
