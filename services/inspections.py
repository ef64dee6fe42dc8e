"""Joint inspection (进一次门、查多项事): the form built from the checklist, and recording results."""
from flask import current_app
from sqlalchemy import func, select

from domain import results
from domain.workdays import add_working_days
from extensions import db
from forms.loader import Choice, FormContext, Row
from models import Campaign, ChecklistItem, Inspection, ItemResult
from services import audit, clock, registry, runtime
from services.errors import ValidationFailed

METHODS = ("实地检查", "书面检查", "网络监测", "检验检测", "委托专业机构")


def checklist_rows(campaign: Campaign) -> list[ChecklistItem]:
    """The items of the campaign's checklist revision that belong to its matters, grouped by department."""
    matter_ids = {m.id for m in campaign.matters}
    items = [i for i in campaign.checklist_revision.items if i.matter_id in matter_ids]
    return sorted(items, key=lambda i: (i.matter.department_id, i.position))


@registry.form_context("joint_inspection")
def _context(ctx) -> FormContext:
    rows = [Row(i.id, i.text, group=i.matter.department.name, detail=f"{i.matter.name}（{i.matter.legal_basis}）")
            for i in checklist_rows(ctx.campaign)]
    return FormContext(
        choices={
            "item_results": [Choice(code, zh) for code, zh, _ in results.ITEM_RESULTS],
            "result_categories": [Choice(c.code, c.zh) for c in results.CATEGORIES],
            "problem_domains": [Choice(code, zh) for code, zh, _ in results.PROBLEM_DOMAINS],
            "methods": [Choice(m, m) for m in METHODS],
        },
        rows={"checklist_items": rows},
        initial={"inspected_on": clock.today().isoformat(), "method": METHODS[0]},
        info={"enterprise": ctx.inspection.enterprise, "officers": ctx.inspection.officers},
    )


@registry.form_handler("joint_inspection")
def _record(ctx, data: dict) -> dict:
    inspection = ctx.inspection
    failed = [row for row in data["items"] if row["result"] == "fail"]
    if failed and not results.is_problem(data["result_code"]):
        raise ValidationFailed({"result_code": ["清单中有不符合项，检查结果应为发现问题的类别"]})
    if data["inspected_on"] > clock.today():
        raise ValidationFailed({"inspected_on": ["检查日期不能晚于今天"]})
    inspection.item_results = [ItemResult(checklist_item_id=row["key"], result=row["result"], note=row.get("note"))
                               for row in data["items"]]
    inspection.result_code = data["result_code"]
    inspection.problem_domain = data.get("problem_domain") if results.category(data["result_code"]).needs_domain else None
    inspection.method, inspection.summary, inspection.inspected_on = data["method"], data.get("summary"), data["inspected_on"]
    inspection.status, inspection.submitted_by_id, inspection.submitted_at = "submitted", ctx.user.id, clock.now()
    # 20 working days to publish, counted from the inspection by China's calendar (调休 included).
    inspection.publication_due = add_working_days(
        data["inspected_on"], current_app.config["PUBLICATION_WORKING_DAYS"]).due
    audit.record(ctx.user, "inspection.submit", "inspection", inspection.id, campaign_id=inspection.campaign_id,
                 result_code=inspection.result_code, failed_items=[r["key"] for r in failed])
    db.session.flush()
    _report_if_all_submitted(inspection.campaign_id)
    return {"result_code": inspection.result_code}


def _report_if_all_submitted(campaign_id: int) -> None:
    # Lock the campaign row so that of two last inspections finishing together, one sees both.
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())
    pending = db.session.scalar(select(func.count()).select_from(Inspection).where(
        Inspection.campaign_id == campaign_id, Inspection.status != "submitted"))
    if pending == 0:
        runtime.send_message(runtime.campaign_instance(campaign_id), "inspections_completed")
