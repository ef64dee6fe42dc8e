"""Test state through the public services: a campaign brought to any stage without a page in between.

The same steps as tests/e2e/journey.py (which drives them over HTTP for the end-to-end tests), done
as the people who would do them through the use cases the pages call (plans, tasks.complete), so
validation, authorization and auditing still run. Tests that are not about these pages start here.

Each function opens its own app context and returns plain values (ids, dicts), so a test can go on
with a page, a client or another context.
"""
from sqlalchemy import select

from extensions import db
from models import Campaign, Department, HumanTask, User
from services.stages import plans
from services.workflow import clock, tasks
from tests import factory_snapshots
from tests.e2e.journey import scope  # noqa: F401 - the scope is plain reads, shared with the journeys

STAGES = ("planned", "initiated", "drawn", "inspected", "published", "diagnosed", "rectified", "closed")


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def open_tasks(app, campaign_id: int, form_key: str) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(select(HumanTask).where(
            HumanTask.campaign_id == campaign_id, HumanTask.form_key == form_key, HumanTask.status == "open")
            .order_by(HumanTask.id)).all()
        return [{"id": t.id, "department_id": t.department_id, "inspection_id": t.inspection_id,
                 "candidates": [db.session.get(User, c.user_id).username for c in t.candidates]} for t in rows]


def complete(app, username: str, task_id: int, data: dict) -> None:
    with app.app_context():
        tasks.complete(user(username), task_id, data)


def plan_and_approve(app, s: dict, expert_field: str | None = None, target: dict | None = None) -> int:
    """The supervisor plans the scope's industry and approves it: the campaign waits at initiation.
    With `expert_field`, one expert of that field is drawn per enterprise; with `target`, a targeted draw (定向)."""
    experts = {"expert_field": expert_field, "experts_per_enterprise": 1} if expert_field else {}
    if target:
        experts.update(mode="targeted", target=target)
    with app.app_context():
        supervisor = user("supervisor")
        entry = plans.create_entry(supervisor, {
            "year": clock.today().year, "industry_id": s["industry_id"], "lead_department_id": s["lead_id"],
            "partner_department_ids": s["partners"], "matter_ids": s["matters"], "ratios": s["ratios"],
            "method": "实地检查", "timing": "第二季度", "result_handling": None,
            "draw_settings": {"zero_reasons": {c: "测试：控制抽取户数" for c, v in s["ratios"].items() if not v},
                              **experts}})
        plans.approve_entry(supervisor, entry.id)
        return db.session.scalars(select(Campaign.id).where(Campaign.plan_entry_id == entry.id)).one()


def initiate(app, s: dict, campaign_id: int) -> None:
    [task] = open_tasks(app, campaign_id, "initiation")
    complete(app, "scjg_01", task["id"], {"partner_department_ids": s["partners"], "matter_ids": s["matters"]})


def report_in(app, s: dict, campaign_id: int, decline_last: bool = True) -> None:
    """Each partner reports in (the last one declines unless told otherwise); then the draw runs."""
    found = open_tasks(app, campaign_id, "partner_confirmation")
    assert sorted(t["department_id"] for t in found) == s["partners"]
    for i, task in enumerate(found):
        decision = {"decision": "decline", "reason": "本季度执法力量不足"} \
            if decline_last and i == len(found) - 1 else {"decision": "confirm"}
        complete(app, s["partner_users"][task["department_id"]], task["id"], decision)


def inspection_data(app, task_id: int, username: str, problem: bool) -> dict:
    with app.app_context():
        rows = tasks.task_form(user(username), task_id).context.rows["checklist_items"]
    items = [{"key": r.key, "result": "fail" if problem and j == 0 else "pass", "note": None}
             for j, r in enumerate(rows)]
    return {"items": items, "result_code": "02" if problem else "01", "problem_domain": "04" if problem else None,
            "method": "实地检查", "inspected_on": clock.today().isoformat(), "summary": "现场检查内部记录"}


def sign_off(app, campaign_id: int, task: dict, problem: bool = False) -> None:
    """Two-officer rule: the first matched officer records and signs, the second countersigns."""
    first, second = task["candidates"][0], task["candidates"][1]
    complete(app, first, task["id"], inspection_data(app, task["id"], first, problem))
    [countersign] = [t for t in open_tasks(app, campaign_id, "joint_inspection")
                     if t["inspection_id"] == task["inspection_id"]]
    complete(app, second, countersign["id"], inspection_data(app, countersign["id"], second, problem))


def campaign_at(app, stage: str, enterprises: int = 4, expert_field: str | None = None) -> tuple[int, dict]:
    """A campaign brought to `stage` (one of STAGES); the first enterprise has a problem. Returns (id, scope).
    On an untouched copy of the template the state may come from an identical earlier call (factory_snapshots)."""
    return factory_snapshots.reuse_or_drive(app, ("campaign_at", stage, enterprises, expert_field),
                                            lambda: _drive_campaign(app, stage, enterprises, expert_field))


def _drive_campaign(app, stage: str, enterprises: int, expert_field: str | None) -> tuple[int, dict]:
    s = scope(app, enterprises)
    campaign_id = plan_and_approve(app, s, expert_field)
    steps = [lambda: initiate(app, s, campaign_id), lambda: report_in(app, s, campaign_id),
             lambda: _inspect_all(app, campaign_id), lambda: publish(app, campaign_id),
             lambda: _diagnose(app, campaign_id), lambda: _rectify(app, campaign_id),
             lambda: _review(app, campaign_id)]
    for step in steps[:STAGES.index(stage)]:
        step()
    return campaign_id, s


def _inspect_all(app, campaign_id: int) -> None:
    for i, task in enumerate(open_tasks(app, campaign_id, "joint_inspection")):
        sign_off(app, campaign_id, task, problem=i == 0)


def targeted_inspection(app, complaint_id: int) -> tuple[int, int]:
    """The lead triages a registered complaint to a targeted inspection by two of its officers:
    (campaign id, inspection id)."""
    from services.complaints import triage
    with app.app_context():
        lead = user("scjg_01")
        officers = [u.id for u in triage.officers_of(lead.department_id)][:2]
        complaint = triage.triage(lead, complaint_id, {"decision": "targeted", "reason": "线索具体",
                                                       "officer_ids": officers})
        return complaint.inspection.campaign_id, complaint.inspection_id


def publish(app, campaign_id: int) -> None:
    """The lead publishes every inspection result of the campaign."""
    [task] = open_tasks(app, campaign_id, "publication_approval")
    with app.app_context():
        rows = tasks.task_form(user("scjg_01"), task["id"]).context.rows["publication_inspections"]
    complete(app, "scjg_01", task["id"], {"results": [{"key": r.key, "decision": "publish"} for r in rows]})


def give_opinions(app, campaign_id: int, opinion: str = "同意牵头部门意见") -> list[str]:
    """Every 会诊 member gives its opinion (a partner department's first official, an expert signing); returns who."""
    given = []
    for task in open_tasks(app, campaign_id, "diagnosis_opinion"):
        username = task["candidates"][0] if task["candidates"] else _department_user(app, task)
        with app.app_context():
            rows = tasks.task_form(user(username), task["id"]).context.rows["opinion_inspections"]
        complete(app, username, task["id"], {"opinions": [{"key": r.key, "opinion": opinion} for r in rows],
                                             "sign": True})
        given.append(username)
    return given


def _diagnose(app, campaign_id: int) -> None:
    give_opinions(app, campaign_id)
    [task] = open_tasks(app, campaign_id, "diagnosis")
    with app.app_context():
        view = tasks.task_form(user("scjg_01"), task["id"])
        handling = [{"key": r.key, **view.context.initial["handling"][r.key], "note": None}
                    for r in view.context.rows["problem_inspections"]]
    complete(app, "scjg_01", task["id"], {"assessment": "总体较好，个别企业存在问题", "handling": handling})


def _rectify(app, campaign_id: int) -> None:
    for task in open_tasks(app, campaign_id, "rectification"):
        complete(app, task["candidates"][0] if task["candidates"] else _department_user(app, task), task["id"],
                 {"rectified": "yes", "rectification": "已整改到位"})


def _review(app, campaign_id: int) -> None:
    [task] = open_tasks(app, campaign_id, "performance_review")
    complete(app, "supervisor", task["id"], {"comments": "按时完成"})


def _department_user(app, task: dict) -> str:
    with app.app_context():
        code = db.session.get(Department, task["department_id"]).code
    return f"{code}_01"

