"""Set campaigns up through the services, run completions in many threads, check every instance afterwards."""
import random
import threading
from datetime import date

from sqlalchemy import func, select

from extensions import db
from models import AuditRecord, Campaign, HumanTask, User, WorkflowInstance
from services import audit
from services.draw import stage as draw
from services.stages import plans
from services.workflow import runtime
from services.workflow import tasks
from demo import simulate as sim
from services.errors import DomainError
from engine import runner


def open_campaign(enterprises: int, confirm: bool = True) -> int:
    """Plan, approve and initiate a campaign in the busiest scope; with `confirm` the partners report in
    and the draw opens `enterprises` joint inspections."""
    supervisor = sim._user_with_role("supervisor")
    industry, lead = sim._busiest_scope()
    partners, matters = [p.id for p in sim._partners(industry, lead)], [m.id for m in industry.matters]
    ratios = sim.ratios_for(draw.candidate_counts(industry.id, lead.region_id), enterprises)
    entry = plans.create_entry(supervisor, {
        "year": date.today().year, "industry_id": industry.id, "lead_department_id": lead.id,
        "partner_department_ids": partners, "matter_ids": matters,
        "ratios": ratios, "method": "实地检查", "timing": "并发测试", "result_handling": None,
        "draw_settings": {"zero_reasons": {c: "测试：按目标户数分配" for c, v in ratios.items() if not v}}})
    plans.approve_entry(supervisor, entry.id)
    campaign = db.session.scalars(select(Campaign).where(Campaign.plan_entry_id == entry.id)).one()
    if confirm:
        sim._complete_stage(campaign, "initiation", initiation_payload(), lambda _: None, "")
        sim._complete_stage(campaign, "partner_confirmation", {"decision": "confirm"}, lambda _: None, "")
    return campaign.id


def initiation_payload() -> dict:
    industry, lead = sim._busiest_scope()
    return {"partner_department_ids": [p.id for p in sim._partners(industry, lead)],
            "matter_ids": [m.id for m in industry.matters]}


def work_for(campaign_id: int, form_key: str, payload=None) -> list[tuple[int, int, dict]]:
    """(task id, actor id, submission) for each open task of this form in the campaign."""
    out, rng = [], random.Random(7)
    for task in sim._open_tasks(db.session.get(Campaign, campaign_id), form_key):
        actor = sim._actor_for(task)
        data = payload if payload is not None else sim._inspection(tasks.task_form(actor, task.id), rng)
        out.append((task.id, actor.id, data))
    return out


def complete_concurrently(app, work: list[tuple[int, int, dict]]) -> list:
    """Start one thread per completion behind a barrier; returns each one's result or exception."""
    barrier, results = threading.Barrier(len(work)), [None] * len(work)

    def run(i: int, task_id: int, actor_id: int, data: dict) -> None:
        barrier.wait()  # before touching the pool: 50 threads start together, then queue for connections
        with app.app_context():
            try:
                tasks.complete(db.session.get(User, actor_id), task_id, data)
                results[i] = "ok"
            except Exception as exc:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i, *w)) for i, w in enumerate(work)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def assert_instances_consistent(campaign_id: int) -> int:
    """Every instance of the campaign reloads from its stored state, and its ready user tasks are exactly
    its open human_task rows (nothing lost, nothing duplicated). Returns how many instances were checked."""
    db.session.expire_all()
    instances = db.session.scalars(select(WorkflowInstance).where(WorkflowInstance.campaign_id == campaign_id)).all()
    for instance in instances:
        workflow = runtime.load(instance)
        ready = sorted(t.task_id for t in runner.ready_user_tasks(workflow))
        open_rows = sorted(db.session.scalars(select(HumanTask.spiff_task_id).where(
            HumanTask.instance_id == instance.id, HumanTask.status == "open")))
        assert ready == open_rows, f"instance {instance.id}: engine ready {ready} != open rows {open_rows}"
        assert instance.status == ("completed" if runner.is_completed(workflow) else "running")
    return len(instances)


def assert_each_completed_once(task_ids: list[int]) -> None:
    rows = db.session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids))).all()
    assert all(r.status == "completed" and r.completed_by_id is not None for r in rows)
    counts = dict(db.session.execute(select(AuditRecord.object_id, func.count()).where(
        AuditRecord.action == "task.complete", AuditRecord.object_id.in_(task_ids)).group_by(AuditRecord.object_id)).all())
    assert counts == {task_id: 1 for task_id in task_ids}, "a task was completed twice or not at all"
    assert audit.verify().ok


def failures(results: list) -> list:
    return [r for r in results if r != "ok"]


def is_conflict(result) -> bool:
    return isinstance(result, DomainError) and result.status == 409
