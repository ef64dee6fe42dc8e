"""Inbox pages: bad input re-renders with errors and changes nothing; others' tasks are refused."""
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import AuditRecord, CampaignDepartment, Department, HumanTask, Inspection, ItemResult
from tests.conftest import csrf_token
from tests.e2e.journey import inspection_fields, open_tasks, submit, user_client
from tests.factories import initiate, plan_and_approve, report_in, scope


def _campaign_at_inspection(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id, decline_last=False)
    return s, campaign_id


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_invalid_form_rerenders_with_field_errors_and_changes_nothing(app):
    s, campaign_id = _campaign_at_inspection(app)
    [task, *_] = open_tasks(app, campaign_id, "joint_inspection")
    officer = user_client(app, task["candidates"][0])
    fields = [f for f in inspection_fields(app, campaign_id, problem=False) if f[0] != "method"]
    fields = [("result_code", "99") if k == "result_code" else (k, v) for k, v in fields]
    audit_before = _count(app, AuditRecord)
    response = submit(officer, task["id"], fields, expect=422)
    html = response.get_data(as_text=True)
    assert "此项必填" in html and "不是可选的值" in html
    assert _count(app, ItemResult) == 0
    assert _count(app, Inspection, Inspection.status == "submitted") == 0
    assert _count(app, HumanTask, HumanTask.id == task["id"], HumanTask.status == "open") == 1
    assert _count(app, AuditRecord) == audit_before


def test_failed_item_with_no_problem_result_is_refused(app):
    s, campaign_id = _campaign_at_inspection(app)
    [task, *_] = open_tasks(app, campaign_id, "joint_inspection")
    fields = [("result_code", "01") if k == "result_code" else (k, v)
              for k, v in inspection_fields(app, campaign_id, problem=True) if k != "problem_domain"]
    response = submit(user_client(app, task["candidates"][0]), task["id"], fields, expect=422)
    assert "清单中有不符合项" in response.get_data(as_text=True)
    assert _count(app, HumanTask, HumanTask.id == task["id"], HumanTask.status == "open") == 1


def test_decline_without_reason_is_refused(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    [task, *_] = open_tasks(app, campaign_id, "partner_confirmation")
    client = user_client(app, s["partner_users"][task["department_id"]])
    response = submit(client, task["id"], [("decision", "decline")], expect=422)
    assert "此项必填" in response.get_data(as_text=True)
    assert _count(app, CampaignDepartment, CampaignDepartment.status == "declined") == 0


def test_another_departments_task_is_refused_and_unchanged(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    [task] = open_tasks(app, campaign_id, "initiation")
    outsider = user_client(app, "xf_01")  # 消防, not the lead department
    assert outsider.get(f"/inbox/tasks/{task['id']}").status_code == 403
    token = csrf_token(outsider, "/inbox/")
    response = outsider.post(f"/inbox/tasks/{task['id']}", data=MultiDict([("csrf_token", token), ("matter_ids", "1")]))
    assert response.status_code == 403
    assert outsider.post(f"/inbox/tasks/{task['id']}/claim", data={"csrf_token": token}).status_code == 403
    assert _count(app, HumanTask, HumanTask.id == task["id"], HumanTask.status == "open",
                  HumanTask.claimed_by_id.is_(None)) == 1


def test_officer_not_matched_cannot_see_inspection(app):
    s, campaign_id = _campaign_at_inspection(app)
    [task, *_] = open_tasks(app, campaign_id, "joint_inspection")
    with app.app_context():
        from models import User, UserRole, InspectionOfficer
        matched = set(db.session.scalars(select(InspectionOfficer.user_id).where(
            InspectionOfficer.inspection_id == task["inspection_id"])))
        stranger = db.session.scalars(select(User.username).join(UserRole).where(
            UserRole.role == "official", User.id.not_in(matched), User.department_id == s["lead_id"])).first()
    assert user_client(app, stranger).get(f"/inbox/tasks/{task['id']}").status_code == 403


def test_task_completed_twice_is_refused(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    [task] = open_tasks(app, campaign_id, "initiation")
    lead = user_client(app, "scjg_01")
    fields = [("partner_department_ids", str(p)) for p in s["partners"]] + [("matter_ids", str(m)) for m in s["matters"]]
    token = csrf_token(lead, f"/inbox/tasks/{task['id']}")
    first = lead.post(f"/inbox/tasks/{task['id']}", data=MultiDict([("csrf_token", token), *fields]))
    assert first.status_code == 302
    second = lead.post(f"/inbox/tasks/{task['id']}", data=MultiDict([("csrf_token", token), *fields]))
    assert second.status_code == 409
    assert "已办理" in second.get_data(as_text=True)
    assert _count(app, CampaignDepartment, CampaignDepartment.campaign_id == campaign_id,
                  CampaignDepartment.role == "partner") == len(s["partners"])


def test_post_without_csrf_token_is_refused(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    [task] = open_tasks(app, campaign_id, "initiation")
    lead = user_client(app, "scjg_01")
    response = lead.post(f"/inbox/tasks/{task['id']}", data={"matter_ids": "1"})
    assert response.status_code == 400
    assert _count(app, HumanTask, HumanTask.id == task["id"], HumanTask.status == "open") == 1


def test_claim_and_unclaim_department_task(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    [task] = open_tasks(app, campaign_id, "initiation")
    lead, colleague = user_client(app, "scjg_01"), user_client(app, "scjg_02")
    assert "牵头部门吹哨" in lead.get("/inbox/").get_data(as_text=True)
    token = csrf_token(lead, "/inbox/")
    assert lead.post(f"/inbox/tasks/{task['id']}/claim", data={"csrf_token": token}).status_code == 302
    assert colleague.get(f"/inbox/tasks/{task['id']}").status_code == 403  # claimed by someone else
    assert lead.post(f"/inbox/tasks/{task['id']}/unclaim", data={"csrf_token": token}).status_code == 302
    assert colleague.get(f"/inbox/tasks/{task['id']}").status_code == 200


def test_login_required_and_bad_password(client):
    assert client.get("/inbox/").status_code == 302
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"username": "supervisor", "password": "wrong", "csrf_token": token})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_a_colleague_submitting_a_task_just_done_is_told_it_is_done(app):
    """Two officials of one department open the same report-in; the second to submit gets 409, not 403."""
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    task = open_tasks(app, campaign_id, "partner_confirmation")[0]
    with app.app_context():
        code = db.session.get(Department, task["department_id"]).code
    first, second = user_client(app, f"{code}_01"), user_client(app, f"{code}_02")
    token = csrf_token(second, f"/inbox/tasks/{task['id']}")  # both have the form open
    submit(first, task["id"], [("decision", "confirm")])
    late = second.post(f"/inbox/tasks/{task['id']}", data={"csrf_token": token, "decision": "confirm"})
    assert late.status_code == 409 and "已办理" in late.get_data(as_text=True)
    outsider = user_client(app, "hb_01")  # never addressed to them: still not theirs
    assert outsider.get(f"/inbox/tasks/{task['id']}").status_code == 403
