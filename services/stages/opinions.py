"""会诊 opinions (全科会诊): every confirmed partner department and every drawn expert speaks before the lead decides.

After publication the campaign asks `panel` who must give an opinion (a service task): each confirmed partner
department, on each enterprise with problems, looking at its own matters' findings; and each expert drawn for
one of those enterprises who has an account, on the enterprises they were drawn for. The campaign's BPMN runs one
`diagnosis_opinion` task per member in parallel (multi-instance) and the lead's `diagnosis` task starts only when
all are in. An expert signs: the opinion row carries the SHA-256 of what was said (opinion_records.signature).
"""
from sqlalchemy import select

from domain import results
from extensions import db
from forms.loader import Choice, FormContext, Row
from models import CampaignDepartment, ChecklistItem, DiagnosisOpinion, Expert, Inspection, ItemResult, Matter
from services import audit
from services.errors import Forbidden, ValidationFailed
from services.stages import diagnosis, opinion_records
from services.workflow import clock


def panel(operation_params: dict, task_data: dict) -> list[dict]:
    """Service-task operation: the members of the 会诊 (the multi-instance's collection); empty = nobody to ask."""
    campaign_id = int(operation_params["campaign_id"])
    inspections, _ = diagnosis.problem_rows(campaign_id)
    if not inspections:
        return []
    members: list[dict] = [{"department_id": d} for d in db.session.scalars(
        select(CampaignDepartment.department_id).where(
            CampaignDepartment.campaign_id == campaign_id, CampaignDepartment.role == "partner",
            CampaignDepartment.status == "confirmed").order_by(CampaignDepartment.department_id))]
    # An expert without an account cannot be asked; the lead's form names them (diagnosis.diagnosis_context).
    for expert in opinion_records.drawn_experts(campaign_id, {i.enterprise_id for i in inspections}):
        if expert.user_id is not None:
            members.append({"expert_id": expert.id, "user_id": expert.user_id})
    return members


def _member(ctx) -> tuple[int | None, Expert | None]:
    """Whose opinion this task asks for: (department id, None) or (None, the expert)."""
    if ctx.task.department_id is not None:
        return ctx.task.department_id, None
    expert = db.session.scalars(select(Expert).where(
        Expert.user_id.in_(sorted(ctx.task.named_user_ids)))).first()
    if expert is None:
        raise Forbidden("该会诊任务没有对应的专家")
    return None, expert


def _inspections(ctx, expert: Expert | None) -> list[Inspection]:
    inspections, _ = diagnosis.problem_rows(ctx.campaign.id)
    if expert is None:
        return inspections
    return [i for i in inspections if expert in opinion_records.drawn_experts(ctx.campaign.id, {i.enterprise_id})]


def _findings(inspection_ids: list[int], department_id: int | None) -> dict[int, list[str]]:
    """Failed checklist items per inspection: the department's own matters only, or all of them for an expert."""
    query = (select(ItemResult.inspection_id, ChecklistItem.text, ItemResult.note)
             .join(ChecklistItem, ChecklistItem.id == ItemResult.checklist_item_id)
             .join(Matter, Matter.id == ChecklistItem.matter_id)
             .where(ItemResult.inspection_id.in_(inspection_ids), ItemResult.result == "fail")
             .order_by(ItemResult.inspection_id, ChecklistItem.position))
    if department_id is not None:
        query = query.where(Matter.department_id == department_id)
    out: dict[int, list[str]] = {}
    for inspection_id, text, note in db.session.execute(query):
        out.setdefault(inspection_id, []).append(f"{text}（{note}）" if note else text)
    return out


def opinion_context(ctx) -> FormContext:
    department_id, expert = _member(ctx)
    inspections = _inspections(ctx, expert)
    findings = _findings([i.id for i in inspections], department_id)

    def detail(i: Inspection) -> str:
        found = findings.get(i.id)
        mine = "；".join(found) if found else ("本部门事项未发现问题" if expert is None else "检查项均未标为不合格")
        return f"{results.category(i.result_code).zh} · 不合格项：{mine}"

    return FormContext(
        choices={"handling_classes": [Choice(code, zh) for code, zh, _ in results.HANDLING]},
        rows={"opinion_inspections": [Row(i.id, f"{i.enterprise.name}（{i.enterprise.uscc}）", detail=detail(i))
                                      for i in inspections]},
        info={"expert": expert, "department_id": department_id},
    )


def record_opinion(ctx, data: dict) -> dict:
    department_id, expert = _member(ctx)
    if expert is not None and not data.get("sign"):
        raise ValidationFailed({"sign": ["专家须确认“本人对以上意见负责并签名”后提交"]})
    now = clock.now()
    for row in data["opinions"]:
        text, suggested = row["opinion"].strip(), row.get("suggested_handling") or None
        opinion = DiagnosisOpinion(
            campaign_id=ctx.campaign.id, inspection_id=row["key"], department_id=department_id,
            expert_id=expert.id if expert else None, opinion=text, suggested_handling=suggested,
            recorded_by_id=ctx.user.id, recorded_at=now)
        if expert is not None:
            opinion.signature = opinion_records.signature(expert.id, row["key"], text, suggested, now)
        db.session.add(opinion)
    audit.record(ctx.user, "diagnosis.opinion", "campaign", ctx.campaign.id, campaign_id=ctx.campaign.id,
                 department_id=department_id, expert_id=expert.id if expert else None,
                 inspections=[row["key"] for row in data["opinions"]])
    return {}
