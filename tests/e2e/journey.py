"""Drive one campaign through all eight stages over HTTP, as the different people involved.

Used by the SQLite and the PostgreSQL end-to-end tests. Reads the database to find task
ids (as a person would see them in the inbox); every change goes through a page.
"""
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import Campaign, Department, HumanTask, Industry, User
from services.workflow import clock
from services.draw import stage as draw
from services.stages.inspections import checklist_rows
from demo.simulate import ratios_for
from tests.conftest import csrf_token, login


def user_client(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


def open_tasks(app, campaign_id: int, form_key: str) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(select(HumanTask).where(
            HumanTask.campaign_id == campaign_id, HumanTask.form_key == form_key, HumanTask.status == "open")
            .order_by(HumanTask.id)).all()
        return [{"id": t.id, "department_id": t.department_id, "inspection_id": t.inspection_id,
                 "candidates": [db.session.get(User, c.user_id).username for c in t.candidates]} for t in rows]


def submit(client, task_id: int, fields: list[tuple[str, str]], expect: int = 302):
    token = csrf_token(client, f"/inbox/tasks/{task_id}")
    response = client.post(f"/inbox/tasks/{task_id}", data=MultiDict([("csrf_token", token), *fields]))
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def scope(app, enterprises: int) -> dict:
    with app.app_context():
        industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
        lead = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
        partners = sorted({m.department_id for m in industry.matters} - {lead.id})[:3]
        return {"industry_id": industry.id, "lead_id": lead.id, "partners": partners,
                "partner_users": {d: f"{db.session.get(Department, d).code}_01" for d in partners},
                "matters": [m.id for m in industry.matters if m.department_id in {lead.id, *partners}],
                "ratios": ratios_for(draw.candidate_counts(industry.id, lead.region_id), enterprises)}


def plan_and_approve(app, s: dict) -> tuple[object, int]:
    supervisor = user_client(app, "supervisor")
    fields = [("csrf_token", csrf_token(supervisor, "/plans/new")), ("year", str(date.today().year)),
              ("industry_id", str(s["industry_id"])), ("lead_department_id", str(s["lead_id"])),
              ("method", "实地检查"), ("timing", "第二季度")]
    fields += [("partner_department_ids", str(p)) for p in s["partners"]] + [("matter_ids", str(m)) for m in s["matters"]]
    fields += [(f"ratio_{c}", str(v)) for c, v in s["ratios"].items()]
    fields += [(f"zero_reason_{c}", "演示：控制抽取户数") for c, v in s["ratios"].items() if not v]  # 0% needs a reason
    response = supervisor.post("/plans/new", data=MultiDict(fields))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    entry_id = int(response.headers["Location"].rsplit("entry-", 1)[1])
    token = csrf_token(supervisor, "/plans/")
    assert supervisor.post(f"/plans/{entry_id}/approve", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        campaign_id = db.session.scalars(select(Campaign.id).where(Campaign.plan_entry_id == entry_id)).one()
    return supervisor, campaign_id


def initiate(app, s: dict, campaign_id: int):
    lead = user_client(app, "scjg_01")
    [task] = open_tasks(app, campaign_id, "initiation")
    submit(lead, task["id"], [("partner_department_ids", str(p)) for p in s["partners"]]
           + [("matter_ids", str(m)) for m in s["matters"]])
    return lead


def report_in(app, s: dict, campaign_id: int, decline_last: bool = True) -> None:
    tasks = open_tasks(app, campaign_id, "partner_confirmation")
    assert sorted(t["department_id"] for t in tasks) == s["partners"]
    for i, task in enumerate(tasks):
        client = user_client(app, s["partner_users"][task["department_id"]])
        if decline_last and i == len(tasks) - 1:
            submit(client, task["id"], [("decision", "decline"), ("reason", "本季度执法力量不足")])
        else:
            submit(client, task["id"], [("decision", "confirm")])


def inspection_fields(app, campaign_id: int, problem: bool) -> list[tuple[str, str]]:
    with app.app_context():
        items = [i.id for i in checklist_rows(db.session.get(Campaign, campaign_id))]
    fields = [("result_code", "02" if problem else "01"), ("method", "实地检查"),
              ("inspected_on", clock.today().isoformat()), ("summary", "现场检查内部记录")]
    if problem:
        fields.append(("problem_domain", "04"))
    fields += [(f"items.{item}.result", "fail" if problem and j == 0 else "pass") for j, item in enumerate(items)]
    return fields


def sign_off(app, campaign_id: int, task: dict, fields: list[tuple[str, str]], second_fields=None) -> None:
    """Two-officer rule: the first matched officer records and signs, a second one countersigns."""
    first, second = task["candidates"][0], task["candidates"][1]
    submit(user_client(app, first), task["id"], fields)
    [countersign] = [t for t in open_tasks(app, campaign_id, "joint_inspection")
                     if t["inspection_id"] == task["inspection_id"]]
    submit(user_client(app, second), countersign["id"], second_fields or fields)


def give_opinions(app, s: dict, campaign_id: int, problem_inspection_ids: list[int]) -> None:
    """全科会诊: each confirmed partner department gives its opinion on each enterprise with problems."""
    for task in open_tasks(app, campaign_id, "diagnosis_opinion"):
        client = user_client(app, s["partner_users"][task["department_id"]])
        submit(client, task["id"], [(f"opinions.{i}.opinion", "同意责令整改") for i in problem_inspection_ids])


def run_campaign(app, enterprises: int = 4) -> int:
    s = scope(app, enterprises)
    supervisor, campaign_id = plan_and_approve(app, s)
    lead = initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)

    inspections = open_tasks(app, campaign_id, "joint_inspection")
    assert len(inspections) == enterprises
    for i, task in enumerate(inspections):
        sign_off(app, campaign_id, task, inspection_fields(app, campaign_id, i == 0))

    [publication] = open_tasks(app, campaign_id, "publication_approval")
    submit(lead, publication["id"], [("approve", "publish")])

    give_opinions(app, s, campaign_id, [inspections[0]["inspection_id"]])
    [diagnosis] = open_tasks(app, campaign_id, "diagnosis")
    submit(lead, diagnosis["id"], [("assessment", "总体较好，个别企业存在问题"),
                                  (f"handling.{inspections[0]['inspection_id']}.handling", "rectify")])

    [rectification] = open_tasks(app, campaign_id, "rectification")
    submit(user_client(app, rectification["candidates"][0]), rectification["id"],
           [("rectified", "yes"), ("rectification", "已整改到位")])

    [review] = open_tasks(app, campaign_id, "performance_review")
    submit(supervisor, review["id"], [("comments", "按时完成")])
    return campaign_id
