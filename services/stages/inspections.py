"""Joint inspection (进一次门、查多项事): the form built from the checklist, sign-offs and final results.

Two-officer rule: the form is one user task per signature (`joint_inspection`, then
`joint_inspection_countersign`); the second matched officer sees the first one's values, may
correct them, and signs. With enough distinct signatures the record becomes final and locked;
a later change is a new revision with a reason (services.inspection_revisions).
"""
from datetime import date

from flask import current_app
from sqlalchemy import bindparam, delete, insert, select, update

from domain import results
from extensions import db, execute_core
from forms.loader import Choice, FormContext, Row
from models import (Campaign, ChecklistItem, ChecklistRevision, Department, Inspection, InspectionDraft,
                    ItemResult, Referral, User, WorkflowInstance)
from services import auditor
from services import audit
from services.org import scope
from services.workflow import calendar
from services.workflow import clock, escalations
from services.portal import self_checks
from services.stages import evidence
from services.stages import publication
from services.stages import signoff_rows
from services.workflow import runtime
from services.workflow import timers
from services.errors import Conflict, Forbidden, ValidationFailed
from services.stages import theme_scope
from services.lookup import get_or_404

METHODS = ("实地检查", "书面检查", "网络监测", "检验检测", "委托专业机构")
ABNORMAL_TIMER = "abnormal_list_due"


def checklist_rows(campaign: Campaign, revision=None) -> list[ChecklistItem]:
    """The items of the checklist revision (the campaign's unless given) that belong to the campaign's matters,
    grouped by department."""
    matter_ids = {m.id for m in campaign.matters}
    items = [i for i in (revision or campaign.checklist_revision).items if i.matter_id in matter_ids]
    return sorted(items, key=lambda i: (i.matter.department_id, i.position))


def _choices_and_rows(campaign: Campaign, revision: ChecklistRevision) -> FormContext:
    rows = [Row(i.id, i.text, group=i.matter.department.name, detail=f"{i.matter.name}（{i.matter.legal_basis}）")
            for i in checklist_rows(campaign, revision)]
    return FormContext(
        choices={
            "item_results": [Choice(code, zh) for code, zh, _ in results.ITEM_RESULTS],
            "result_categories": [Choice(c.code, f"{c.code} {c.zh}") for c in results.CATEGORIES],
            "problem_domains": [Choice(code, zh) for code, zh, _ in results.PROBLEM_DOMAINS],
            "methods": [Choice(m, m) for m in METHODS],
        },
        rows={"checklist_items": rows})


def validation_context(ctx):
    """What validating a submission depends on: the inspection's checklist revision (never edited in place; in a
    themed action the enterprise's own industry's) and the campaign's matters; the database is part of the key
    because ids restart in another one."""
    campaign, inspection = ctx.campaign, ctx.inspection
    matters = tuple(sorted(int(i) for i in (campaign.matter_ids or "").split(",") if i))
    key = (str(db.engine.url), theme_scope.revision_id_for(inspection, _held_campaign(ctx)), matters)
    return key, lambda: _choices_and_rows(campaign, theme_scope.revision_for(inspection))


def _held_campaign(ctx) -> Campaign | None:
    """The context's campaign when it is the inspection's (always, for a joint inspection's tasks), so the theme
    lookups need not find it again through the session; else None and they do."""
    campaign = ctx.campaign
    return campaign if campaign is not None and campaign.id == ctx.inspection.campaign_id else None


def form_context(inspection: Inspection, user: User | None) -> FormContext:
    context = _choices_and_rows(inspection.campaign, theme_scope.revision_for(inspection))
    return FormContext(
        choices=context.choices,
        rows=context.rows,
        initial=_initial(inspection, user),
        info={"enterprise": inspection.enterprise, "officers": inspection.officers, "inspection": inspection,
              "signoffs": inspection.signoffs, "evidence": evidence.for_inspection(inspection.id),
              "signed_by_me": user is not None and any(s.user_id == user.id for s in inspection.signoffs),
              "departments": _departments(), "special_outcomes": results.SPECIAL_OUTCOMES,
              "draft_saved_at": _draft_time(inspection, user)},
    )


def inspection_context(ctx) -> FormContext:
    context = form_context(ctx.inspection, ctx.user)
    # What the enterprise said of itself (企业自查), shown beside the form as context, never as a finding.
    context.info["self_check"] = self_checks.latest(ctx.inspection.enterprise_id)
    return context


def _departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.region_id, Department.id)))


def _draft(inspection: Inspection, user: User | None) -> InspectionDraft | None:
    if user is None:
        return None
    return db.session.scalars(select(InspectionDraft).where(
        InspectionDraft.inspection_id == inspection.id, InspectionDraft.user_id == user.id)).first()


def _draft_time(inspection: Inspection, user: User | None):
    draft = _draft(inspection, user)
    return draft.saved_at if draft else None


def _initial(inspection: Inspection, user: User | None) -> dict:
    """What the form shows: the user's draft, else the values recorded so far, else defaults."""
    draft = _draft(inspection, user)
    if draft is not None:
        return flat(draft.data)
    if inspection.result_code:
        return flat(snapshot(inspection))
    return {"inspected_on": clock.today().isoformat(), "method": METHODS[0]}


def flat(data: dict) -> dict:
    """Rows as {key: row} so the template finds each row's values (JSON turned the keys into text)."""
    out = dict(data)
    items = data.get("items")
    if isinstance(items, list):
        out["items"] = {int(r["key"]): r for r in items if isinstance(r, dict) and str(r.get("key", "")).isdigit()}
    return out


def snapshot(inspection: Inspection, items: list[dict] | None = None) -> dict:
    """The recorded result as plain JSON: what a revision keeps and a correction starts from. `items`: the item
    results as {key, result, note} when the caller has them (a sign-off reads them without ORM objects)."""
    if items is None:
        items = [{"key": r.checklist_item_id, "result": r.result, "note": r.note} for r in inspection.item_results]
    return {"result_code": inspection.result_code, "problem_domain": inspection.problem_domain,
            "method": inspection.method, "summary": inspection.summary,
            "inspected_on": inspection.inspected_on.isoformat() if inspection.inspected_on else None,
            "items": [{"key": r["key"], "result": r["result"], "note": r["note"]}
                      for r in sorted(items, key=lambda r: r["key"])]}


def inspection_window(inspection: Inspection) -> tuple[date, date]:
    """The days an inspection of this enterprise may be dated: from the day it was drawn (Beijing date; the
    campaign's creation for an enterprise added without a draw) to today. An inspection cannot precede the
    draw that chose the enterprise (双随机: the visit follows the draw), nor happen in the future."""
    start = inspection.drawn_at or db.session.get(Campaign, inspection.campaign_id).created_at
    return clock.local_date(start), clock.today()


def check_rules(data: dict, inspection: Inspection, campaign: Campaign | None = None) -> None:
    """Rules beyond the form's shape: results consistent with items, a date within the inspection window.
    `campaign`: the inspection's, when the caller holds it."""
    failed = [row for row in data["items"] if row["result"] == "fail"]
    if failed and not results.is_problem(data["result_code"]):
        raise ValidationFailed({"result_code": ["清单中有不符合项，检查结果应为发现问题的类别"]})
    first, last = inspection_window(inspection)
    if data["inspected_on"] > last:
        raise ValidationFailed({"inspected_on": ["检查日期不能晚于今天"]})
    if data["inspected_on"] < first:
        raise ValidationFailed({"inspected_on": ["检查日期不能早于该企业被抽取的日期"]})
    themed = theme_scope.window(campaign if campaign is not None else inspection.campaign)
    if themed and not themed[0] <= data["inspected_on"] <= themed[1]:
        raise ValidationFailed({"inspected_on": ["检查日期应在专项（板块）行动的期间内"]})


def apply(inspection: Inspection, data: dict) -> None:
    """Write validated form values onto the inspection (item results replaced in place)."""
    _apply_items(inspection, data)
    for name, value in _field_values(data).items():
        setattr(inspection, name, value)


def _apply_items(inspection: Inspection, data: dict) -> None:
    existing = {r.checklist_item_id: r for r in inspection.item_results}
    keep = []
    for row in data["items"]:
        item = existing.get(row["key"]) or ItemResult(checklist_item_id=row["key"], result=row["result"])
        item.result, item.note = row["result"], row.get("note")
        keep.append(item)
    inspection.item_results = keep


def _field_values(data: dict) -> dict:
    return {"result_code": data["result_code"],
            "problem_domain": data.get("problem_domain") if results.category(data["result_code"]).needs_domain else None,
            "method": data["method"], "summary": data.get("summary"), "inspected_on": data["inspected_on"]}


def record_inspection(ctx, data: dict) -> dict:
    """One officer's sign-off: record (or correct) the values, then finalize once enough have signed.
    Written through Core (services/stages/signoff_rows.py): nothing is left for the ORM to flush."""
    inspection, user = ctx.inspection, ctx.user
    department_id = _officer_department(inspection, user)
    if inspection.status == "submitted":
        raise Conflict("检查记录已定稿锁定；如需更正请提交更正并说明理由")
    if user.id in inspection.signer_ids:
        raise Forbidden("您已签字，需由另一名匹配的检查人员复核签字")
    check_rules(data, inspection, _held_campaign(ctx))
    recorded = signoff_rows.recorded_items(inspection) if inspection.result_code else None
    before = snapshot(inspection, recorded) if recorded is not None else None
    columns, items = signoff_rows.Columns(inspection), None
    if before is not None:
        items = signoff_rows.correct_items(recorded, data["items"])
        if items is None:  # rows come or go (the checklist changed between the signatures): through the ORM
            _apply_items(inspection, data)
    columns.set(**_field_values(data))
    changed = before is not None and before != snapshot(inspection, items)
    signoff_rows.add_signoff(inspection, user_id=user.id, department_id=department_id,
                             signed_at=clock.now(), changed=changed)
    audit.record(user, "inspection.sign", "inspection", inspection.id, campaign_id=inspection.campaign_id,
                 result_code=inspection.result_code, corrected_before_signing=changed, previous=before if changed else None,
                 failed_items=[r["key"] for r in data["items"] if r["result"] == "fail"])
    signers = set(inspection.signer_ids)
    final = len(signers) >= current_app.config["MIN_OFFICERS_PER_ENTERPRISE"]
    if not final:
        columns.set(status="signed")
    if before is None:
        _insert_items(inspection, data["items"])
    if final:
        _finalize(inspection, user, columns, items)
    columns.write()  # the inspection in one UPDATE, whatever the sign-off changed
    db.session.flush()  # what a rarer path left to the ORM (added or removed item rows, notices)
    _discard_draft(inspection, user)
    if final:
        _report_if_all_submitted(inspection.campaign_id)
    return {"result_code": inspection.result_code, "signoffs": len(signers)}


def _insert_items(inspection: Inspection, items: list[dict]) -> None:
    """The first recording's item results in one INSERT (the ORM would insert them one by one to learn ids
    nobody reads here); the collection is then read again only if something asks for it. Into the table
    (Core), not the entity: the ORM's bulk path costs more CPU than the statement."""
    execute_core(_INSERT_ITEMS, [{"inspection_id": inspection.id, "checklist_item_id": row["key"],
                                  "result": row["result"], "note": row.get("note")} for row in items])
    db.session.expire(inspection, ["item_results"])


_INSERT_ITEMS = insert(ItemResult.__table__)  # built once


def _officer_department(inspection: Inspection, user: User) -> int:
    """The department the user inspects this enterprise for; Forbidden unless they are one of its officers."""
    department_id = inspection.officer_departments.get(user.id)
    if department_id is None:
        raise Forbidden("只有抽中匹配到该企业的检查人员可以签字")
    return department_id


def _finalize(inspection: Inspection, user: User, columns: signoff_rows.Columns, items: list[dict] | None) -> None:
    """`items`: the item results as the sign-off left them, if it has them (else read from the inspection)."""
    now = clock.now()
    columns.set(status="submitted", submitted_by_id=user.id, submitted_at=now, finalized_at=now, revision=1)
    signoff_rows.add_revision(inspection, number=1, data=snapshot(inspection, items), created_by_id=user.id,
                              created_at=now)
    # 20 working days to publish, counted from the inspection by China's calendar (调休 included).
    due = calendar.deadline(inspection.inspected_on, current_app.config["PUBLICATION_WORKING_DAYS"])
    columns.set(publication_due=due.due, publication_provisional=due.provisional)
    publication.schedule_deadline(inspection)
    _special_consequences(inspection, columns)
    audit.record(user, "inspection.submit", "inspection", inspection.id, campaign_id=inspection.campaign_id,
                 result_code=inspection.result_code, publication_due=due.due.isoformat(),
                 provisional=due.provisional, signers=inspection.signer_ids)


def _special_consequences(inspection: Inspection, columns: signoff_rows.Columns) -> None:
    outcome = results.special_outcome(inspection.result_code, inspection.problem_domain)
    campaign = inspection.campaign
    name = inspection.enterprise.name if outcome else None
    if outcome == "not_found":
        due = calendar.deadline(inspection.inspected_on, current_app.config["ABNORMAL_LIST_WORKING_DAYS"])
        columns.set(abnormal_list_due=due.due)
        timers.schedule(ABNORMAL_TIMER, clock.end_of_day(due.due), campaign_id=campaign.id,
                        subject_type="inspection", subject_id=inspection.id)
        timers.notify_lead(campaign, f"{name} 通过登记的住所无法联系，请于 {due.due} 前列入经营异常名录"
                           f"{'（期限为暂定）' if due.provisional else ''}", "abnormal_list")
    elif outcome == "refusal":
        timers.notify_lead(campaign, f"{name} 不配合检查情节严重，建议立案查处", "inspection_refusal")
    elif outcome == "ceased":
        timers.notify_lead(campaign, f"{name} 已关闭停业或正在组织清算，请核实并更新名录库状态", "inspection_ceased")


def abnormal_list_overdue(timer) -> None:
    inspection = db.session.get(Inspection, timer.subject_id)
    if inspection is None or inspection.abnormal_listed_at is not None:
        return
    escalations.escalate(f"{inspection.enterprise.name} 列入经营异常名录已逾期（期限 {inspection.abnormal_list_due}）",
                         "abnormal_list_overdue", departments=[inspection.campaign.lead_department_id],
                         campaign_id=inspection.campaign_id)


def mark_abnormal_listed(user: User, inspection_id: int) -> Inspection:
    inspection = get_or_404(Inspection, inspection_id, "检查记录不存在")
    if inspection.abnormal_list_due is None:
        raise Conflict("该企业无需列入经营异常名录")
    if user.department_id != inspection.campaign.lead_department_id:
        raise Forbidden("由牵头部门列入经营异常名录")
    if inspection.abnormal_listed_at is None:
        inspection.abnormal_listed_at = clock.now()
        timers.cancel(kind=ABNORMAL_TIMER, subject_type="inspection", subject_id=inspection.id)
        audit.record(user, "inspection.abnormal_listed", "inspection", inspection.id, campaign_id=inspection.campaign_id)
        db.session.commit()
    return inspection


def save_draft(user: User, inspection_id: int, data: dict) -> InspectionDraft:
    """Keep what an officer typed so far, unvalidated, until they sign."""
    inspection = get_or_404(Inspection, inspection_id, "检查记录不存在")
    _officer_department(inspection, user)
    if inspection.status == "submitted":
        raise Conflict("检查记录已定稿锁定，不能再保存草稿")
    draft = _draft(inspection, user) or InspectionDraft(inspection_id=inspection.id, user_id=user.id)
    draft.data, draft.saved_at = _json_safe(data), clock.now()
    db.session.add(draft)
    db.session.commit()
    return draft


def _json_safe(data: dict) -> dict:
    clean: dict = {}
    for key, value in data.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, list):
            value = [v if not isinstance(v, dict) else {k: (str(x)[:5000] if x is not None else None)
                                                         for k, x in v.items()} for v in value]
        elif value is not None:
            value = str(value)[:5000]
        clean[str(key)[:60]] = value
    return clean


def _discard_draft(inspection: Inspection, user: User) -> None:
    if user.id not in inspection.draft_user_ids:  # read with the campaign (task_context._locked_context)
        return
    db.session.execute(delete(InspectionDraft).where(InspectionDraft.inspection_id == inspection.id,
                                                     InspectionDraft.user_id == user.id)
                       .execution_options(synchronize_session="evaluate"))


def get(user: User, inspection_id: int) -> Inspection:
    """An inspection its officers, the campaign's departments, the supervisor and the region's auditors may see."""
    inspection = get_or_404(Inspection, inspection_id, "检查记录不存在")
    departments = {d.department_id for d in inspection.campaign.departments}
    # A department that received a referral from this inspection follows it up from here too.
    departments |= set(db.session.scalars(select(Referral.to_department_id).where(Referral.inspection_id == inspection.id)))
    if not ((user.has_role("supervisor") and scope.covers_campaign(user, inspection.campaign)) or auditor.covers(user, inspection.campaign)
            or any(o.user_id == user.id for o in inspection.officers)
            or (user.department_id is not None and user.department_id in departments)):
        raise Forbidden("无权查看该检查记录")
    return inspection


def _report_if_all_submitted(campaign_id: int) -> None:
    # Lock the campaign row so that of two last inspections finishing together, one sees both.
    # FOR NO KEY UPDATE: it still excludes the other finisher, but not the key-share locks that inserts
    # referencing the campaign (timers, audit records) take first; FOR UPDATE would deadlock with those.
    # The UPDATE takes that lock (FOR NO KEY UPDATE: the counter is no key) and counts down in one statement.
    # Through Core: the loaded campaign is not kept in step either way, and the ORM's update path costs CPU.
    pending = execute_core(_COUNT_DOWN, {"campaign_id": campaign_id}).scalar_one()
    if pending == 0:
        campaign = db.session.get(Campaign, campaign_id)
        if campaign.kind == "complaint" and not _has_process(campaign_id):
            # a complaint's targeted inspection opened before it had a campaign process: nothing to tell
            campaign.status, campaign.stage, campaign.completed_at = "completed", "closed", clock.now()
            return
        runtime.send_message(runtime.campaign_instance(campaign_id), "inspections_completed")


_campaigns = Campaign.__table__
_COUNT_DOWN = (update(_campaigns).where(_campaigns.c.id == bindparam("campaign_id"))  # built once
               .values(pending_inspections=_campaigns.c.pending_inspections - 1)
               .returning(_campaigns.c.pending_inspections))


def _has_process(campaign_id: int) -> bool:
    return db.session.scalar(select(WorkflowInstance.id).where(
        WorkflowInstance.campaign_id == campaign_id, WorkflowInstance.inspection_id.is_(None))) is not None
