"""Diagnosis (检查情况会诊): the industry assessment and a handling class per enterprise with problems."""
from flask import current_app
from sqlalchemy import select

from domain import results
from domain.workdays import add_working_days
from extensions import db
from forms.loader import Choice, FormContext, Row
from models import Diagnosis, FollowUp, Inspection
from services import audit, clock, registry, runtime


def problem_inspections(campaign_id: int) -> list[Inspection]:
    rows = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)
                              .order_by(Inspection.id)).all()
    return [i for i in rows if results.is_problem(i.result_code)]


@registry.form_context("diagnosis")
def _context(ctx) -> FormContext:
    problems = problem_inspections(ctx.campaign.id)
    return FormContext(
        choices={"handling_classes": [Choice(code, zh) for code, zh, _ in results.HANDLING]},
        rows={"problem_inspections": [
            Row(i.id, f"{i.enterprise.name}（{i.enterprise.uscc}）", detail=results.category(i.result_code).zh)
            for i in problems]},
        initial={"handling": {i.id: {"handling": results.suggested_handling(i.result_code)} for i in problems}},
    )


@registry.form_handler("diagnosis")
def _record(ctx, data: dict) -> dict:
    campaign = ctx.campaign
    chosen = {row["key"]: row for row in data["handling"]}
    db.session.add(Diagnosis(campaign_id=campaign.id, assessment=data["assessment"],
                             recorded_by_id=ctx.user.id, recorded_at=clock.now()))
    deadline = add_working_days(clock.today(), current_app.config["RECTIFICATION_WORKING_DAYS"]).due
    rectify_count = 0
    for inspection in db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign.id)):
        row = chosen.get(inspection.id, {"handling": "none", "note": None})
        inspection.handling, inspection.handling_note = row["handling"], row.get("note")
        if inspection.handling == "rectify":
            rectify_count += 1
            db.session.add(FollowUp(inspection_id=inspection.id, kind="rectify", deadline=deadline, status="open"))
        db.session.flush()
        runtime.send_message(runtime.case_instance(inspection.id), "handling_decided", inspection.handling)
    audit.record(ctx.user, "diagnosis.record", "campaign", campaign.id, campaign_id=campaign.id,
                 handling={str(k): v["handling"] for k, v in chosen.items()})
    return {"rectify_count": rectify_count}
