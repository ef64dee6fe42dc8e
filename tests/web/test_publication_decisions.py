"""Publication approval per enterprise: publish, hold back with a reason (stays unpublished, the team gets a task),
or return for correction (the team corrects, then answers); the lead approves what comes back."""
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import AuditRecord, HumanTask, Inspection
from tests.conftest import csrf_token
from tests.factories import give_opinions
from tests.e2e.journey import (initiate, inspection_fields, open_tasks, plan_and_approve, report_in, scope, sign_off,
                               submit, user_client)


def _at_publication(app):
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    lead = initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)
    tasks = open_tasks(app, campaign_id, "joint_inspection")
    for task in tasks:
        sign_off(app, campaign_id, task, inspection_fields(app, campaign_id, False))
    [approval] = open_tasks(app, campaign_id, "publication_approval")
    return campaign_id, lead, approval, [t["inspection_id"] for t in tasks], {t["inspection_id"]: t["candidates"] for t in tasks}


def _state(app, inspection_id):
    with app.app_context():
        i = db.session.get(Inspection, inspection_id)
        return i.published_at is not None, i.publication_hold, i.publication_hold_reason


def test_hold_back_needs_a_reason_then_stays_unpublished_and_returns_to_the_team(app):
    campaign_id, lead, approval, (first, second), teams = _at_publication(app)
    page = lead.get(f"/inbox/tasks/{approval['id']}").get_data(as_text=True)
    assert "暂缓公示（退回检查人员核实）" in page and "退回更正" in page
    with app.app_context():
        audits = db.session.scalar(select(func.count()).select_from(AuditRecord))
    refused = submit(lead, approval["id"], [(f"results.{first}.decision", "publish"),
                                            (f"results.{second}.decision", "hold")], expect=422)
    with app.app_context():
        name = db.session.get(Inspection, second).enterprise.name
    assert f"{name}：暂缓公示或退回更正须填写理由" in refused.get_data(as_text=True)
    assert _state(app, first) == (False, None, None) and _state(app, second) == (False, None, None)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditRecord)) == audits

    submit(lead, approval["id"], [(f"results.{first}.decision", "publish"), (f"results.{second}.decision", "hold"),
                                  (f"results.{second}.reason", "企业对检查日期有异议，请核实")])
    assert _state(app, first)[0] is True
    assert _state(app, second) == (False, "held", "企业对检查日期有异议，请核实")
    assert name not in app.test_client().get("/public/").get_data(as_text=True)  # not public
    assert open_tasks(app, campaign_id, "publication_approval") == [] and open_tasks(app, campaign_id, "diagnosis") == []
    [rework] = open_tasks(app, campaign_id, "publication_rework")
    assert rework["inspection_id"] == second and sorted(rework["candidates"]) == sorted(teams[second])
    officer = user_client(app, rework["candidates"][0])
    inbox = officer.get("/inbox/").get_data(as_text=True)
    assert "处理退回的检查结果" in inbox and name in inbox
    task_page = officer.get(f"/inbox/tasks/{rework['id']}").get_data(as_text=True)
    assert "企业对检查日期有异议，请核实" in task_page and "暂缓公示" in task_page
    submit(officer, rework["id"], [("note", "已与企业核实，检查日期无误")])

    # back with the lead: a new approval lists only that enterprise; publishing it moves the campaign on
    [again] = open_tasks(app, campaign_id, "publication_approval")
    assert name in lead.get(f"/inbox/tasks/{again['id']}").get_data(as_text=True)
    submit(lead, again["id"], [(f"results.{second}.decision", "publish")])
    assert _state(app, second) == (True, None, None)
    give_opinions(app, campaign_id)
    assert len(open_tasks(app, campaign_id, "diagnosis")) == 1
    history = lead.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert f"暂缓公示 {name} 的检查结果" in history.replace("<strong>", "").replace("</strong>", "")


def test_return_for_correction_needs_a_correction_before_the_team_answers(app):
    campaign_id, lead, approval, (first, second), teams = _at_publication(app)
    submit(lead, approval["id"], [(f"results.{first}.decision", "return"), (f"results.{first}.reason", "检查方式填写有误"),
                                  (f"results.{second}.decision", "return"), (f"results.{second}.reason", "请补充检查情况")])
    assert _state(app, first) == (False, "returned", "检查方式填写有误")
    reworks = {t["inspection_id"]: t for t in open_tasks(app, campaign_id, "publication_rework")}
    assert set(reworks) == {first, second}
    officer = user_client(app, reworks[first]["candidates"][0])
    refused = submit(officer, reworks[first]["id"], [("note", "已处理")], expect=422)
    assert "须先在检查记录页更正" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(HumanTask, reworks[first]["id"]).status == "open"
    # the correction itself, as the officer makes it on the inspection page
    token = csrf_token(officer, f"/inbox/inspections/{first}")
    fields = [(k, v) for k, v in inspection_fields(app, campaign_id, False) if k != "method"] + [("method", "书面检查")]
    assert officer.post(f"/inbox/inspections/{first}/correct",
                        data=MultiDict([("csrf_token", token), ("reason", "检查方式更正为书面检查"), *fields])).status_code == 302
    submit(officer, reworks[first]["id"], [("note", "已更正检查方式")])
    assert _state(app, first) == (False, None, None)
    # the other is still out: the campaign waits for it before the lead approves what came back
    assert open_tasks(app, campaign_id, "publication_approval") == []
    other = user_client(app, reworks[second]["candidates"][0])
    token = csrf_token(other, f"/inbox/inspections/{second}")
    fields = [(k, v) for k, v in inspection_fields(app, campaign_id, False) if k != "summary"] + [("summary", "补充：现场核查了台账")]
    assert other.post(f"/inbox/inspections/{second}/correct",
                      data=MultiDict([("csrf_token", token), ("reason", "补充检查情况"), *fields])).status_code == 302
    submit(other, reworks[second]["id"], [("note", "已补充检查情况")])
    [again] = open_tasks(app, campaign_id, "publication_approval")
    page = lead.get(f"/inbox/tasks/{again['id']}").get_data(as_text=True)
    assert "退回更正" not in page.split("逐户审核")[-1]  # what came back is approved, not sent back again
    refused = submit(lead, again["id"], [(f"results.{first}.decision", "hold"), (f"results.{first}.reason", "再看看")],
                     expect=422)
    assert "不是可选的值" in refused.get_data(as_text=True) and _state(app, first) == (False, None, None)
    submit(lead, again["id"], [(f"results.{first}.decision", "publish"), (f"results.{second}.decision", "publish")])
    assert _state(app, first)[0] is True and _state(app, second)[0] is True
    give_opinions(app, campaign_id)
    assert len(open_tasks(app, campaign_id, "diagnosis")) == 1
