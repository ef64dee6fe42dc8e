"""A complaint's targeted inspection gets no 会诊, so once its result is published the department that took the
complaint decides the handling itself: a task in its inbox naming the enterprise and the complaint, with the
diagnosis' choices and rules; the enterprise case then goes on to rectification exactly as after a diagnosis.
Targeted inspections published before this existed are given the task by `flask campaign open-targeted-handling`."""
import pytest
from sqlalchemy import select

from extensions import db
from models import Complaint, FollowUp, HandlingDecision, HumanTask, Inspection, WorkflowInstance
from services.complaints import handling
from services.errors import Forbidden, ValidationFailed
from services.stages import publication
from services.workflow import deployments, task_views, tasks
from tests import factories
from tests.e2e.journey import user_client
from tests.factories import user
from tests.services.test_complaints import _data, _register


def _published(app, problem: bool = True) -> tuple[int, int, int]:
    """Complaint → targeted inspection → two officers sign → the lead publishes. Returns ids."""
    complaint_id = _register(app, _data(app))
    campaign_id, inspection_id = factories.targeted_inspection(app, complaint_id)
    [task] = factories.open_tasks(app, campaign_id, "joint_inspection")
    factories.sign_off(app, campaign_id, task, problem=problem)
    factories.publish(app, campaign_id)
    return complaint_id, campaign_id, inspection_id


def _case_state(inspection_id: int) -> str:
    return db.session.scalars(select(WorkflowInstance.status).where(WorkflowInstance.inspection_id == inspection_id)).one()


def _row(app, task_id: int, **chosen) -> dict:
    with app.app_context():
        view = tasks.task_form(user("scjg_01"), task_id)
        [row] = view.context.rows["targeted_inspection"]
        return {"key": row.key, **view.context.initial["handling"][row.key], "note": None, **chosen}


def test_from_complaint_to_rectification_the_lead_decides_the_handling(app):
    complaint_id, campaign_id, inspection_id = _published(app)
    [task] = factories.open_tasks(app, campaign_id, "targeted_handling")
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        lead = user("scjg_01")
        assert task["department_id"] == lead.department_id and task["inspection_id"] == inspection_id
        assert _case_state(inspection_id) == "running"  # still waiting for the handling decision
        [view] = task_views.describe([db.session.get(HumanTask, task["id"])], lead)
        enterprise = complaint.enterprise
        assert enterprise.name in view.about and complaint.code in view.campaign_title  # which enterprise, which complaint
        code, name = complaint.code, enterprise.name

    client = user_client(app, "scjg_01")
    page = client.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert f"定向检查的分类处置：{name}" in page and f"因投诉举报 {code} 开展" in page
    english = client.get(f"/inbox/tasks/{task['id']}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"Handling of the targeted inspection of {name}" in english and f"Opened on complaint {code}" in english
    assert "待承办部门决定分类处置" in client.get(f"/complaints/{complaint_id}").get_data(as_text=True)

    suggested = _row(app, task["id"])["handling"]
    other = "case" if suggested != "case" else "rectify"
    with app.app_context():  # the diagnosis' rules: an override needs a reason, a transfer its authority and kind
        with pytest.raises(ValidationFailed) as refused:
            tasks.complete(user("scjg_01"), task["id"], {"handling": [_row(app, task["id"], handling=other)]})
        assert refused.value.errors["handling"] == [f"{name}：调整系统建议的处置方式须填写理由"]
        with pytest.raises(ValidationFailed) as refused:
            tasks.complete(user("scjg_01"), task["id"], {"handling": [_row(app, task["id"], handling="transfer",
                                                                                note="涉嫌犯罪")]})
        assert f"{name}：移送须填写接收机关" in refused.value.errors["handling"]
        with pytest.raises(Forbidden):  # another department's official cannot decide it
            tasks.complete(user("wjw_01"), task["id"], {"handling": [_row(app, task["id"])]})
        db.session.rollback()
        assert db.session.get(Inspection, inspection_id).handling is None

    note = None if suggested == "rectify" else "投诉属实，责令限期整改"
    factories.complete(app, "scjg_01", task["id"], {"handling": [_row(app, task["id"], handling="rectify", note=note,
                                                                      deadline_days=10, reinspect=False)]})
    with app.app_context():
        decision = db.session.scalars(select(HandlingDecision).where(HandlingDecision.inspection_id == inspection_id)).one()
        assert (decision.suggested, decision.handling, decision.decided_by_id) == (suggested, "rectify", user("scjg_01").id)
        assert decision.override_reason == note
        follow_up = db.session.scalars(select(FollowUp).where(FollowUp.inspection_id == inspection_id)).one()
        assert (follow_up.status, follow_up.working_days) == ("open", 10)
    assert "责令整改" in client.get(f"/complaints/{complaint_id}").get_data(as_text=True)
    assert factories.open_tasks(app, campaign_id, "targeted_handling") == []

    [rectification] = factories.open_tasks(app, campaign_id, "rectification")  # the case's next step, for the team
    assert rectification["inspection_id"] == inspection_id and len(rectification["candidates"]) == 2
    factories.complete(app, rectification["candidates"][0], rectification["id"],
                       {"rectified": "yes", "rectification": "已下架过期食品并建立台账"})
    with app.app_context():
        assert _case_state(inspection_id) == "completed"
        assert db.session.get(FollowUp, follow_up.id).status == "closed"


def test_nothing_found_needs_no_decision_and_the_case_ends(app):
    complaint_id, campaign_id, inspection_id = _published(app, problem=False)
    assert factories.open_tasks(app, campaign_id, "targeted_handling") == []
    with app.app_context():
        assert db.session.get(Inspection, inspection_id).handling == "none"
        assert _case_state(inspection_id) == "completed"
    page = user_client(app, "scjg_01").get(f"/complaints/{complaint_id}", headers={"Accept-Language": "en"})
    assert "No action" in page.get_data(as_text=True)


def test_a_targeted_inspection_published_before_the_upgrade_gets_its_task_from_the_cli(app, monkeypatch):
    """Published while the handling step did not exist: its case waits for a decision nobody would give."""
    monkeypatch.setattr(publication.targeted_handling, "open_for", lambda inspection: None)
    _, campaign_id, inspection_id = _published(app)
    monkeypatch.undo()
    assert factories.open_tasks(app, campaign_id, "targeted_handling") == []
    result = app.test_cli_runner().invoke(args=["campaign", "open-targeted-handling"])
    assert "已为 1 个投诉举报定向检查开启处置决定" in result.output
    [task] = factories.open_tasks(app, campaign_id, "targeted_handling")
    assert task["inspection_id"] == inspection_id
    assert "0 个" in app.test_cli_runner().invoke(args=["campaign", "open-targeted-handling"]).output
    factories.complete(app, "scjg_01", task["id"], {"handling": [_row(app, task["id"])]})
    with app.app_context():
        assert db.session.get(Inspection, inspection_id).handling is not None


def test_the_targeted_handling_on_postgresql(pg_app):
    test_from_complaint_to_rectification_the_lead_decides_the_handling(pg_app)


def test_a_release_deploys_the_process_it_adds_and_leaves_the_deployed_ones_as_they_are(app):
    """An installation upgraded from before targeted_handling existed: the release step
    (`process deploy-bundled --new-only`, yiye-migrate / Procfile) deploys it, publishing then gives the task,
    and a process a designer changed keeps the designer's version."""
    from models import ProcessDefinition

    with app.app_context():
        db.session.execute(db.delete(ProcessDefinition).where(ProcessDefinition.process_id == handling.PROCESS_ID))
        bundled = deployments.latest("enterprise_case")
        edited = deployments.deploy(bundled.bpmn_xml.replace('name="', 'name="（本地）', 1), "enterprise_case.bpmn",
                                    user("designer"), change_note="设计人员的修改")
        newest_case, bundled_version = edited.version, bundled.version
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["process", "deploy-bundled", "--new-only"])
    assert result.exit_code == 0 and "已部署新增的内置流程 1 个" in result.output, result.output
    _, campaign_id, inspection_id = _published(app)
    [task] = factories.open_tasks(app, campaign_id, "targeted_handling")
    assert task["inspection_id"] == inspection_id
    with app.app_context():
        [deployed] = db.session.scalars(select(ProcessDefinition).where(
            ProcessDefinition.process_id == handling.PROCESS_ID)).all()
        assert deployed.change_note == "随版本发布的新流程" and deployed.deployed_by_id is None
        assert deployments.latest("enterprise_case").version == newest_case > bundled_version
    again = app.test_cli_runner().invoke(args=["process", "deploy-bundled", "--new-only"])
    assert "已部署新增的内置流程 0 个" in again.output, again.output
