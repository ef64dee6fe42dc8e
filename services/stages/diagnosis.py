"""Diagnosis (检查情况会诊): grades by the DMN decision, a handling class per enterprise, follow-ups opened.

The decision table workflows/grade.dmn suggests a grade and a handling class for every graded
enterprise; the lead department confirms or overrides each suggestion, and an override needs a reason.
"""
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, func, select

from domain import authorities, grading, results
from engine import decision as dmn
from engine.sandbox import SandboxedScriptEngine
from services.workflow import script_limits
from extensions import db
from forms.loader import Choice, FormContext, Row
from models import Diagnosis, FollowUp, HandlingDecision, Inspection, ItemResult, Transfer
from services import audit
from services.portal import notices
from services.workflow import calendar
from services.stages import cases, leniency, opinion_records
from services.workflow import clock
from services.workflow import deployments
from services.workflow import runtime
from services.workflow import timers
from services.errors import ValidationFailed

OVERDUE_KIND = "follow_up.overdue"


@dataclass(frozen=True)
class Grading:
    inspection_id: int
    grade: str
    suggested: str
    row: int | None


def grade_campaign(campaign_id: int) -> tuple[int, dict[int, Grading]]:
    """The grade.dmn version used and a grading per graded inspection (one query, one evaluation per input set)."""
    definition, decision = deployments.latest_decision("grade")
    engine = SandboxedScriptEngine(limits=script_limits.limits(), pool_size=script_limits.pool_size())
    failed = func.coalesce(func.sum(case((ItemResult.result == "fail", 1), else_=0)), 0)
    rows = db.session.execute(
        select(Inspection.id, Inspection.enterprise_id, Inspection.result_code, Inspection.problem_domain, failed)
        .outerjoin(ItemResult, ItemResult.inspection_id == Inspection.id)
        .where(Inspection.campaign_id == campaign_id, Inspection.status == "submitted",
               Inspection.result_code.in_(grading.GRADED_RESULTS))
        .group_by(Inspection.id, Inspection.enterprise_id, Inspection.result_code, Inspection.problem_domain)
        .order_by(Inspection.id)).all()
    lenient = leniency.grade_inputs([(row[0], row[1]) for row in rows if row[4]])
    memo: dict[tuple, tuple[dict, int | None]] = {}
    out = {}
    for inspection_id, _, code, domain, n_failed in rows:
        inputs = grading.grade_inputs(code, domain, int(n_failed), **lenient.get(inspection_id, {}))
        key = tuple(sorted(inputs.items()))
        if key not in memo:  # the decision is a pure function of its inputs
            try:
                memo[key] = (dmn.evaluate(decision, inputs, engine), dmn.matched_row(decision, inputs, engine))
            except dmn.DecisionError as exc:  # a cell over the sandbox's limits: a domain error, not a 500
                raise script_limits.domain_error(exc, element="决策表「grade」") or exc
        outputs, row = memo[key]
        out[inspection_id] = Grading(inspection_id, outputs.get("grade", "?"), outputs.get("handling", "none"), row)
    return definition.version, out


def problem_rows(campaign_id: int) -> tuple[list[Inspection], dict[int, Grading]]:
    """The enterprises the lead department decides on: a problem found, or a suggestion other than none."""
    _, gradings = grade_campaign(campaign_id)
    inspections = db.session.scalars(select(Inspection).where(
        Inspection.campaign_id == campaign_id, Inspection.status == "submitted").order_by(Inspection.id)).all()
    chosen = [i for i in inspections if results.is_problem(i.result_code)
              or (i.id in gradings and gradings[i.id].suggested != "none")]
    return chosen, gradings


def diagnosis_context(ctx) -> FormContext:
    inspections, gradings = problem_rows(ctx.campaign.id)
    labels = {code: zh for code, zh, _ in results.HANDLING}

    matters = leniency.failed_matters([i.id for i in inspections])

    def detail(i: Inspection) -> str:
        g = gradings.get(i.id)
        graded = f" · 等级 {g.grade} · 系统建议：{labels[g.suggested]}" if g else ""
        listed = matters.get(i.id) and all(m.leniency_basis for m in matters[i.id])
        basis = " · 免罚依据：" + "；".join(m.leniency_basis for m in matters[i.id]) if listed else ""
        return results.category(i.result_code).zh + graded + basis

    return FormContext(
        choices={"handling_classes": [Choice(code, zh) for code, zh, _ in results.HANDLING]},
        rows={"problem_inspections": [Row(i.id, f"{i.enterprise.name}（{i.enterprise.uscc}）", detail=detail(i))
                                      for i in inspections]},
        initial={"handling": {i.id: {"handling": suggestion(i, gradings)} for i in inspections}},
        # The 会诊 members' opinions (partner departments, experts), shown beside the decision.
        info={"opinions": opinion_records.by_inspection(ctx.campaign.id),
              "opinion_enterprises": {i.id: i.enterprise.name for i in inspections},
              "experts_without_account": [e.name for e in opinion_records.drawn_experts(
                  ctx.campaign.id, {i.enterprise_id for i in inspections}) if e.user_id is None]},
    )


def suggestion(inspection: Inspection, gradings: dict[int, Grading]) -> str:
    g = gradings.get(inspection.id)
    return g.suggested if g else results.suggested_handling(inspection.result_code)


def record_diagnosis(ctx, data: dict) -> dict:
    campaign = ctx.campaign
    version, gradings = grade_campaign(campaign.id)
    chosen = {row["key"]: row for row in data["handling"]}
    inspections = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign.id)
                                     .order_by(Inspection.id)).all()
    check_handling(inspections, chosen, gradings)
    diagnosis = Diagnosis(campaign_id=campaign.id, assessment=data["assessment"], recorded_by_id=ctx.user.id,
                          recorded_at=clock.now())
    db.session.add(diagnosis)
    open_follow_ups = 0
    for inspection in inspections:
        suggested = suggestion(inspection, gradings)
        row = chosen.get(inspection.id, {"handling": "none" if inspection.id not in gradings else suggested})
        open_follow_ups += apply_handling(ctx.user, inspection, row, gradings, version,
                                          decided=inspection.id in gradings or inspection.id in chosen)
    diagnosis.open_follow_ups = open_follow_ups
    db.session.flush()
    for inspection in inspections:
        runtime.send_message(runtime.case_instance(inspection.id), "handling_decided", inspection.handling)
    audit.record(ctx.user, "diagnosis.record", "campaign", campaign.id, campaign_id=campaign.id,
                 handling={str(k): v["handling"] for k, v in chosen.items()}, open_follow_ups=open_follow_ups,
                 decision_version=version)
    # The campaign waits for follow_ups_closed only when something is left open.
    return {"rectify_count": open_follow_ups}


def apply_handling(actor, inspection: Inspection, row: dict, gradings: dict[int, Grading], version: int,
                   decided: bool = True) -> int:
    """Set one enterprise's handling class, record the decision (and an override of the suggestion) when it was
    `decided` by a person, and open what it calls for; returns how many follow-ups stay open until closed.
    Shared by the diagnosis and a targeted inspection's own handling decision (services/complaints/handling.py)."""
    suggested = suggestion(inspection, gradings)
    handling = row["handling"]
    reason = (row.get("note") or "").strip() or None
    inspection.handling, inspection.handling_note = handling, reason
    if decided:
        graded = gradings.get(inspection.id)
        db.session.add(HandlingDecision(
            inspection_id=inspection.id, campaign_id=inspection.campaign_id, enterprise_id=inspection.enterprise_id,
            grade=graded.grade if graded else None, suggested=suggested, handling=handling,
            override_reason=reason if handling != suggested else None, decision_version=version,
            decided_by_id=actor.id, decided_at=clock.now()))
        if handling != suggested:
            audit.record(actor, "diagnosis.override", "inspection", inspection.id, campaign_id=inspection.campaign_id,
                         suggested=suggested, handling=handling, reason=reason)
    return _open_measure(actor, inspection, handling, row)


def check_handling(inspections, chosen: dict, gradings: dict) -> None:
    """The rules every handling decision follows: an override of the suggestion needs a reason, a transfer an
    authority and its kind, a lenient handling a listed matter not used before in the period."""
    errors = []
    for inspection in inspections:
        row = chosen.get(inspection.id)
        if row is None:
            continue
        name = inspection.enterprise.name
        if row["handling"] != suggestion(inspection, gradings) and not (row.get("note") or "").strip():
            errors.append(f"{name}：调整系统建议的处置方式须填写理由")
        if row["handling"] == "transfer" and not (row.get("authority") or "").strip():
            errors.append(f"{name}：移送须填写接收机关")
        if row["handling"] == "transfer" and not row.get("authority_kind"):
            errors.append(f"{name}：移送须选择接收机关类别")
        elif row["handling"] == "transfer" and (conflict := authorities.name_conflict(row.get("authority") or "",
                                                                                     row["authority_kind"])):
            errors.append(f"{name}：{conflict}")
        if row["handling"] in results.LENIENT_HANDLING:  # once per matter within the period, and only if listed
            errors.extend(leniency.problems(inspection, row["handling"]))
    if errors:
        raise ValidationFailed({"handling": errors})


def _open_measure(actor, inspection: Inspection, handling: str, row: dict) -> int:
    """Open what the handling class calls for; returns how many follow-ups stay open until closed."""
    if handling == "rectify":
        days = row.get("deadline_days") or current_app.config["RECTIFICATION_WORKING_DAYS"]
        deadline = calendar.deadline(clock.today(), int(days)).due
        follow_up = FollowUp(inspection_id=inspection.id, campaign_id=inspection.campaign_id, kind="rectify",
                             deadline=deadline, working_days=int(days), reinspect=bool(row.get("reinspect")),
                             status="open")
        db.session.add(follow_up)
        db.session.flush()
        timers.schedule(OVERDUE_KIND, clock.end_of_day(deadline), campaign_id=inspection.campaign_id,
                        subject_type="follow_up", subject_id=follow_up.id)
        notices.rectification_ordered(follow_up)  # the enterprise hears of it through the outbox
        audit.record(actor, "follow_up.order", "follow_up", follow_up.id, campaign_id=inspection.campaign_id,
                     deadline=deadline.isoformat(), working_days=int(days), reinspect=follow_up.reinspect)
        return 1
    if handling == "transfer":
        transfer = Transfer(inspection_id=inspection.id, campaign_id=inspection.campaign_id,
                            enterprise_id=inspection.enterprise_id, authority=row["authority"].strip(),
                            authority_kind=row["authority_kind"],
                            transfer_no=(row.get("transfer_no") or "").strip() or None,
                            reason=row.get("note"), status="sent", sent_at=clock.now(), recorded_by_id=actor.id)
        db.session.add(transfer)
        db.session.flush()
        audit.record(actor, "transfer.send", "transfer", transfer.id, campaign_id=inspection.campaign_id,
                     authority=transfer.authority, authority_kind=transfer.authority_kind,
                     transfer_no=transfer.transfer_no)
        return 1
    if handling in results.LENIENT_HANDLING:
        grants = leniency.grant(actor, inspection, handling)
        audit.record(actor, "leniency.grant", "inspection", inspection.id, campaign_id=inspection.campaign_id,
                     kind=handling, matter_ids=[g.matter_id for g in grants])
    if handling == "case":
        cases.open_case(actor, inspection, row.get("note") or results.category(inspection.result_code).zh)
    return 0

