"""Publication (公示): deadlines, the lead department's batch approval, the public page and the export.

Only what the public may see leaves this module for the public page: the current published
revision's result category, dates, the enterprise and the departments. No notes, no item
results, no evidence, no officers' names. A complaint's targeted inspection is published the same
way, as 定向检查 under its own code: its internal title names the complaint, and nothing that could
lead back to the complainant is public.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, or_, select

from domain import results
from extensions import db
from engine import runner
from forms.loader import Choice, FormContext, Row
from models import (Campaign, CampaignDepartment, Department, Enterprise, Inspection, InspectionOfficer,
                    InspectionRevision, Publication, Region, User)
from services import audit
from services.complaints import handling as targeted_handling
from services.directory import history
from services.org import scope
from services.workflow import clock, escalations
from services.workflow import runtime
from services.workflow import timers
from services.errors import Forbidden, ValidationFailed
from services.lookup import get_or_404
from services.reading import read_only

PAGE_SIZE = 50
OVERDUE_TIMER = "publication_overdue"
# A complaint's targeted inspection (services/complaints/triage.py) as the public sees it: the kind of check.
TARGETED_KIND, TARGETED_TITLE = "complaint", "定向检查"


def submitted_inspections(campaign_id: int) -> list[Inspection]:
    return list(db.session.scalars(select(Inspection).where(
        Inspection.campaign_id == campaign_id, Inspection.status == "submitted").order_by(Inspection.id)))


def schedule_deadline(inspection: Inspection) -> None:
    """A timer at the end of the publication deadline: if still unpublished then, the lead department is told."""
    # Through Core (schedule_each): the final sign-off leaves nothing for the ORM to flush.
    timers.schedule_each(OVERDUE_TIMER, [{"due_at": clock.end_of_day(inspection.publication_due),
                                          "campaign_id": inspection.campaign_id, "subject_type": "inspection",
                                          "subject_id": inspection.id}])


def publication_overdue(timer) -> None:
    inspection = db.session.get(Inspection, timer.subject_id)
    if inspection is None or inspection.published_at is not None:
        return
    escalations.escalate(f"{inspection.enterprise.name} 的检查结果已超过公示期限（{inspection.publication_due}）仍未公示",
                         "publication_overdue", departments=[inspection.campaign.lead_department_id],
                         campaign_id=inspection.campaign_id)


def overdue(today: date | None = None, user: User | None = None) -> list[Inspection]:
    """Final results past their publication deadline and not yet published (the supervisor's dashboard);
    with a user, those of campaigns in the user's scope."""
    today = today or clock.today()
    stmt = select(Inspection).where(
        Inspection.status == "submitted", Inspection.published_at.is_(None), Inspection.publication_due < today)
    if user is not None:
        stmt = stmt.where(Inspection.campaign_id.in_(select(Campaign.id).where(scope.campaign_clause(user))))
    return list(db.session.scalars(stmt.order_by(Inspection.publication_due, Inspection.id)))


# Decisions per enterprise at publication approval; labels are catalogued in web/publication/routes.py.
DECISIONS = {"publish": "同意公示", "hold": "暂缓公示（退回检查人员核实）", "return": "退回更正"}


def awaiting_approval(campaign_id: int) -> list[Inspection]:
    """Final results not yet published and not sent back to their team."""
    return [i for i in submitted_inspections(campaign_id) if i.published_at is None and i.publication_hold is None]


def held_back(campaign_id: int) -> list[Inspection]:
    return [i for i in submitted_inspections(campaign_id) if i.published_at is None and i.publication_hold is not None]


def approval_context(ctx) -> FormContext:
    pending = awaiting_approval(ctx.campaign.id)
    allowed = _allowed(ctx.task)
    return FormContext(
        info={"inspections": pending, "held": held_back(ctx.campaign.id), "second_round": len(allowed) == 1},
        choices={"publication_decisions": [Choice(value, DECISIONS[value]) for value in allowed]},
        rows={"publication_inspections": [
            Row(i.id, f"{i.enterprise.name}（{i.enterprise.uscc}）",
                detail=f"{results.category(i.result_code).zh} · {i.inspected_on or ''}") for i in pending]},
        initial={"results": {i.id: {"decision": "publish"} for i in pending}})


def record_approval(ctx, data: dict) -> dict:
    """Per enterprise: publish, hold back (stays unpublished; the team gets a task to verify), or return for
    correction (the team corrects the record, then answers). Returns where the campaign goes next."""
    if ctx.user.department_id != ctx.campaign.lead_department_id:
        raise Forbidden("由牵头部门审核公示")
    pending = awaiting_approval(ctx.campaign.id)
    chosen = {row["key"]: row for row in data.get("results") or []}
    decided = {i.id: (chosen.get(i.id, {}).get("decision") or "publish") for i in pending}
    allowed = _allowed(ctx.task)
    missing = [f"{i.enterprise.name}：暂缓公示或退回更正须填写理由" for i in pending
               if decided[i.id] != "publish" and not (chosen.get(i.id, {}).get("reason") or "").strip()]
    missing += [f"{i.enterprise.name}：退回后重新提交的结果只能同意公示（如仍有误，请在检查记录页更正）"
                for i in pending if decided[i.id] not in allowed]
    if missing:
        raise ValidationFailed({"results": missing})
    now = clock.now()
    to_publish = [i for i in pending if decided[i.id] == "publish"]
    for inspection in to_publish:
        inspection.published_at, inspection.published_revision = now, inspection.revision
        current = next(r for r in inspection.revisions if r.number == inspection.revision)
        current.published_at = now
        timers.cancel(kind=OVERDUE_TIMER, subject_type="inspection", subject_id=inspection.id)
    publication = Publication(campaign_id=ctx.campaign.id, approved_by_id=ctx.user.id, approved_at=now,
                              result_count=len(to_publish))
    db.session.add(publication)
    db.session.flush()
    if to_publish:
        audit.record(ctx.user, "publication.approve", "publication", publication.id, campaign_id=ctx.campaign.id,
                     inspection_ids=[i.id for i in to_publish], comment=data.get("comment"))
        audit.request_checkpoint("publication")
    if ctx.campaign.kind == TARGETED_KIND:  # no 会诊 follows: the lead decides the handling itself
        for inspection in to_publish:
            targeted_handling.open_for(inspection)
    for inspection in pending:
        if decided[inspection.id] != "publish":
            _send_back(ctx.user, inspection, decided[inspection.id], chosen[inspection.id]["reason"].strip())
    return {"publication_next": _next_step(ctx.campaign.id)}


def _send_back(actor: User, inspection: Inspection, decision: str, reason: str) -> None:
    inspection.publication_hold = "held" if decision == "hold" else "returned"
    inspection.publication_hold_reason, inspection.publication_hold_revision = reason, inspection.revision
    audit.record(actor, f"publication.{decision}", "inspection", inspection.id, campaign_id=inspection.campaign_id,
                 reason=reason, revision=inspection.revision)
    db.session.flush()
    runtime.send_message(runtime.case_instance(inspection.id), "publication_returned")


def _allowed(task) -> tuple[str, ...]:
    """One round of sending back (the process has no back-edges): what comes back is approved for publication;
    a result still wrong after that is corrected on its record (a new revision, shown as 已更正)."""
    return ("publish",) if task.element_id == "publication_reapproval" else tuple(DECISIONS)


def _next_step(campaign_id: int) -> str:
    """After an approval: wait for results out with their teams, or go on (all published)."""
    return "wait" if held_back(campaign_id) else "done"


def rework_context(ctx) -> FormContext:
    i = ctx.inspection
    return FormContext(info={"publication_hold": {
        "decision": i.publication_hold, "reason": i.publication_hold_reason, "inspection_id": i.id,
        "enterprise": f"{i.enterprise.name}（{i.enterprise.uscc}）", "corrected": i.revision > (i.publication_hold_revision or 0)}})


def record_rework(ctx, data: dict) -> dict:
    """The team answers: a returned record must have been corrected first (a new revision); then the result
    goes back to the lead department for approval."""
    inspection = ctx.inspection
    if inspection.publication_hold is None:
        return {}
    if inspection.publication_hold == "returned" and inspection.revision <= (inspection.publication_hold_revision or 0):
        raise ValidationFailed({"note": ["退回更正的结果须先在检查记录页更正，再提交处理说明"]})
    audit.record(ctx.user, "publication.resubmit", "inspection", inspection.id, campaign_id=inspection.campaign_id,
                 note=data["note"], was=inspection.publication_hold, revision=inspection.revision)
    inspection.publication_hold = inspection.publication_hold_reason = inspection.publication_hold_revision = None
    db.session.flush()
    # The campaign waits until every result sent back has come back; then the lead approves them together.
    campaign_instance = runtime.campaign_instance(inspection.campaign_id)
    if not held_back(inspection.campaign_id) and \
            runner.element_states(runtime.load(campaign_instance)).get("await_republication") == "active":
        runtime.send_message(campaign_instance, "results_resubmitted")
    return {}


@dataclass(frozen=True)
class PublicResult:
    """Only what the public may see: no notes, no evidence, no officers' names."""
    uscc: str
    enterprise_name: str
    campaign_code: str
    campaign_title: str
    departments: str
    inspected_on: object
    result_code: str
    result: str
    published_on: object
    corrected_on: object       # set when the current published revision is a correction
    current_name: str | None = None  # the directory's name today, when it differs from the published one


@dataclass(frozen=True)
class PublicQuery:
    text: str = ""
    campaign: str = ""
    department_id: int | None = None
    region: str = ""


def _published():
    return (select(Inspection, Enterprise, Campaign, InspectionRevision)
            .join(Enterprise, Inspection.enterprise_id == Enterprise.id)
            .join(Campaign, Inspection.campaign_id == Campaign.id)
            .join(InspectionRevision, and_(InspectionRevision.inspection_id == Inspection.id,
                                           InspectionRevision.number == Inspection.published_revision))
            .where(Inspection.published_at.is_not(None)))


def _filtered(q: PublicQuery):
    stmt = _published()
    text = "".join(c for c in q.text if c >= " ").strip()  # a NUL is refused by PostgreSQL as a text parameter
    if text:
        stmt = stmt.where(or_(Enterprise.name.contains(text, autoescape=True), Enterprise.uscc == text.upper(),
                              history.had_name(text)))
    if q.campaign.strip():
        stmt = stmt.where(or_(Campaign.code == q.campaign.strip(),
                              and_(Campaign.kind != TARGETED_KIND,  # its internal title is not public
                                   Campaign.title.contains(q.campaign.strip(), autoescape=True))))
    if q.department_id:
        stmt = stmt.where(exists().where(InspectionOfficer.inspection_id == Inspection.id,
                                         InspectionOfficer.department_id == q.department_id))
    if q.region:
        region_id = db.session.scalar(select(Region.id).where(Region.code == q.region))
        # A campaign spanning two regions (区域联查) is published on both regions' pages.
        in_partner_region = exists().where(CampaignDepartment.campaign_id == Campaign.id,
                                           CampaignDepartment.status == "confirmed",
                                           CampaignDepartment.department_id == Department.id,
                                           Department.region_id == region_id)
        stmt = stmt.where(or_(Campaign.region_id == region_id, in_partner_region))
    return stmt


@read_only
def search_public(query: str | PublicQuery = "", page: int = 1) -> tuple[list[PublicResult], int]:
    q = query if isinstance(query, PublicQuery) else PublicQuery(text=query)
    stmt = _filtered(q)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(stmt.order_by(Inspection.published_at.desc(), Enterprise.uscc, Inspection.id)
                              .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    return _public_rows(rows), total


def _public_rows(rows) -> list[PublicResult]:
    """Each result under the enterprise's name when it was published (a later re-import does not rewrite it)."""
    names = history.names_as_of((enterprise.id, inspection.published_at) for inspection, enterprise, _, _ in rows)
    return [_public(*row, published_name=names.get((row[1].id, row[0].published_at))) for row in rows]


def _departments(inspection_id: int) -> list[str]:
    return sorted(db.session.scalars(select(Department.name).join(
        InspectionOfficer, InspectionOfficer.department_id == Department.id)
        .where(InspectionOfficer.inspection_id == inspection_id).distinct()).all())


def _public(inspection: Inspection, enterprise: Enterprise, campaign: Campaign,
            revision: InspectionRevision, published_name: str | None = None) -> PublicResult:
    code = revision.data["result_code"]
    corrected = clock.local_date(revision.published_at) if revision.number > 1 and revision.published_at else None
    name = published_name or enterprise.name
    return PublicResult(enterprise.uscc, name, campaign.code, public_title(campaign),
                        "、".join(_departments(inspection.id)), revision.data.get("inspected_on"), code,
                        results.category(code).zh, clock.local_date(inspection.published_at), corrected,
                        enterprise.name if enterprise.name != name else None)


def public_title(campaign: Campaign) -> str:
    return TARGETED_TITLE if campaign.kind == TARGETED_KIND else campaign.title


@read_only
def public_filters() -> dict:
    """Choices for the public search form: regions and the departments that have published results."""
    return {"regions": list(db.session.scalars(select(Region).order_by(Region.code))),
            "departments": list(db.session.scalars(select(Department).order_by(Department.region_id, Department.id)))}


EXPORT_COLUMNS = ("统一社会信用代码", "企业名称", "抽查任务编号", "检查部门", "检查日期", "检查结果", "公示日期")


def export_rows(actor: User, campaign_id: int) -> tuple[Campaign, list[tuple]]:
    """The campaign's published results in the fields the national credit publicity system takes."""
    campaign = get_or_404(Campaign, campaign_id, "检查活动不存在")
    if not (actor.department_id == campaign.lead_department_id
            or (actor.has_role("supervisor", "admin") and scope.covers_campaign(actor, campaign))):
        raise Forbidden("只有牵头部门或联席会办公室可以导出公示数据")
    rows = db.session.execute(_published().where(Inspection.campaign_id == campaign_id)
                              .order_by(Enterprise.uscc)).all()
    out = []
    for result in _public_rows(rows):
        out.append((result.uscc, result.enterprise_name, result.campaign_code, result.departments,
                    result.inspected_on, f"{result.result_code} {result.result}",
                    (result.corrected_on or result.published_on).isoformat()))
    audit.record(actor, "publication.export", "campaign", campaign.id, campaign_id=campaign.id, rows=len(out))
    db.session.commit()
    return campaign, out


def campaign_overview(actor: User) -> list[dict]:
    """Per campaign the actor leads (all for the supervisor): final, published, overdue counts."""
    stmt = select(Campaign).order_by(Campaign.id.desc())
    if not actor.has_role("supervisor", "admin"):
        stmt = stmt.where(Campaign.lead_department_id == actor.department_id)
    else:
        stmt = stmt.where(scope.campaign_clause(actor))
    today = clock.today()
    overview = []
    for campaign in db.session.scalars(stmt.limit(200)):
        final = submitted_inspections(campaign.id)
        overview.append({"campaign": campaign, "final": len(final),
                         "published": sum(i.published_at is not None for i in final),
                         "overdue": sum(i.published_at is None and i.publication_due < today for i in final),
                         "provisional": sum(i.publication_provisional for i in final)})
    return overview
