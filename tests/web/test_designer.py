"""Designer pages: designers only, versions, validate, drafts, deploy, compare, roll back, import, heat map, migrate."""
import io
from pathlib import Path

from sqlalchemy import func, select

from extensions import db
from models import AuditRecord, ProcessDefinition, WorkflowInstance
from services.workflow import runtime
from tests.conftest import csrf_token, login
from tests.e2e.journey import open_tasks
from tests.factories import initiate, plan_and_approve, scope

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bpmn"
CAMPAIGN = (Path(__file__).resolve().parent.parent.parent / "workflows" / "campaign.bpmn").read_text(encoding="utf-8")


def designer_client(app):
    client = app.test_client()
    login(client, "designer")
    return client, {"X-CSRFToken": csrf_token(client, "/designer/")}


def versions(app, process_id="campaign") -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(ProcessDefinition.process_id == process_id))


def test_designer_pages_are_for_designers_only(app, client):
    assert client.get("/designer/").status_code == 302  # to the login page
    login(client, "scjg_01")
    assert client.get("/designer/").status_code == 403
    assert client.post("/designer/deploy", json={"xml": CAMPAIGN}).status_code in (400, 403)  # CSRF or role
    designer, _ = designer_client(app)
    page = designer.get("/designer/").get_data(as_text=True)
    assert "campaign" in page and "enterprise_case" in page and "v1" in page


def test_validate_lists_errors_by_element_id(app):
    client, headers = designer_client(app)
    bad = (FIXTURES / "bad" / "unknown_form.bpmn").read_text(encoding="utf-8")
    body = client.post("/designer/validate", json={"xml": bad}, headers=headers).get_json()
    assert body["ok"] is False and body["errors"][0]["element_id"] == "review"
    assert client.post("/designer/validate", json={"xml": CAMPAIGN}, headers=headers).get_json()["ok"] is True
    assert client.post("/designer/validate", json={"xml": CAMPAIGN}).status_code == 400  # no CSRF token


def test_draft_deploy_compare_and_roll_back(app):
    client, headers = designer_client(app)
    changed = CAMPAIGN.replace('name="slaDays" value="20"', 'name="slaDays" value="15"')
    saved = client.post("/designer/drafts", json={"process_id": "campaign", "xml": changed}, headers=headers).get_json()
    assert client.get(saved["url"]).status_code == 200
    assert client.get(f"/designer/drafts/{saved['draft_id']}.bpmn").get_data(as_text=True) == changed
    bad = changed.replace('value="publication_approval"', 'value="nope"')
    refused = client.post("/designer/deploy", json={"xml": bad, "change_note": "测试"}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["element_id"] == "publication_approval"
    assert versions(app) == 1
    no_note = client.post("/designer/deploy", json={"xml": changed, "change_note": " "}, headers=headers)
    assert no_note.status_code == 422 and "变更说明" in no_note.get_json()["errors"][0]["message"] and versions(app) == 1
    deployed = client.post("/designer/deploy", json={"xml": changed, "change_note": "公示时限由 20 改为 15 个工作日"},
                           headers=headers).get_json()
    assert deployed["version"] == 2
    compare = client.get("/designer/processes/campaign/compare?a=1&b=2").get_data(as_text=True)
    assert "publication_approval" in compare and "修改（1）" in compare and "新增（0）" in compare
    # per element what changed, old → new, and the version's change note
    assert "办理时限（工作日）" in compare and '<pre class="old">20</pre>' in compare and '<pre class="new">15</pre>' in compare
    assert "公示时限由 20 改为 15 个工作日" in compare
    token = csrf_token(client, "/designer/processes/campaign")
    assert client.post("/designer/processes/campaign/v1/rollback", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        v3 = db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.version == 3,
                                                               ProcessDefinition.process_id == "campaign"))
        assert v3.bpmn_xml == CAMPAIGN
        assert db.session.scalar(select(AuditRecord).where(AuditRecord.action == "process.rollback")).detail[
            "restored_version"] == 1
    page = client.get("/designer/processes/campaign").get_data(as_text=True)
    assert "v3" in page and "流程设计员" in page
    assert "公示时限由 20 改为 15 个工作日" in page and "回滚到 v1" in page  # change notes in the versions list


def test_import_foreign_file_as_draft_and_refuse_unsafe_files(app):
    client, _ = designer_client(app)
    token = csrf_token(client, "/designer/import")
    data = (FIXTURES / "foreign" / "signavio.bpmn").read_bytes()
    response = client.post("/designer/import", data={"csrf_token": token, "file": (io.BytesIO(data), "s.bpmn")})
    assert response.status_code == 302 and "draft=" in response.headers["Location"]
    for payload, name in [((FIXTURES / "bad" / "external_entity.bpmn").read_bytes(), "x.bpmn"),
                          (b"not xml at all", "x.bpmn"), (data, "x.exe")]:
        response = client.post("/designer/import", data={"csrf_token": token, "file": (io.BytesIO(payload), name)})
        assert response.status_code == 422, name
    # over the designer's own limit: refused by Content-Length before the body is parsed
    response = client.post("/designer/import", data={"csrf_token": token, "file": (io.BytesIO(b" " * (3 << 20)), "b.bpmn")})
    assert response.status_code == 413 and "上传内容过大" in response.get_data(as_text=True)


def test_heat_map_and_migration(app):
    s = scope(app, 2)
    first = plan_and_approve(app, s)  # waits at initiation
    second = plan_and_approve(app, s)
    initiate(app, s, second)
    client, headers = designer_client(app)
    heat = client.get("/designer/processes/campaign/v1/heat.json").get_json()
    assert heat["initiation"] == 1 and heat["partner_confirmation"] == 1
    assert "热力图" in client.get("/designer/processes/campaign/v1").get_data(as_text=True)
    # v2 changes the initiation task: the campaign still waiting there may move, the one past it may not.
    changed = CAMPAIGN.replace('name="slaDays" value="5" />', 'name="slaDays" value="6" />', 1)
    assert client.post("/designer/deploy", json={"xml": changed, "change_note": "发起时限改为 6 天"},
                       headers=headers).get_json()["version"] == 2
    with app.app_context():
        waiting, past = runtime.campaign_instance(first).id, runtime.campaign_instance(second).id
    check = client.get(f"/designer/instances/{past}/migration-check.json").get_json()
    assert check["safe"] is False and "initiation" in check["problems"][0]
    # the same check as a page in words, with the move offered only where it is safe
    page = client.get(f"/designer/instances/{past}/migration-check").get_data(as_text=True)
    assert "不能迁移到最新版本 v2" in page and "在新版本中被修改" in page and "迁移到 v2</button>" not in page
    assert '{"' not in page and "problems" not in page
    safe = client.get(f"/designer/instances/{waiting}/migration-check").get_data(as_text=True)
    assert "可以迁移到最新版本 v2" in safe and "迁移到 v2</button>" in safe
    token = csrf_token(client, "/designer/processes/campaign/v1")
    refused = client.post(f"/designer/instances/{past}/migrate", data={"csrf_token": token})
    assert refused.status_code == 409 and "initiation" in refused.get_data(as_text=True)
    assert client.post(f"/designer/instances/{waiting}/migrate", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(WorkflowInstance, waiting).definition.version == 2
        assert db.session.get(WorkflowInstance, past).definition.version == 1
        actions = set(db.session.scalars(select(AuditRecord.action).where(AuditRecord.action.like("process.migrate%"))))
        assert actions == {"process.migrate", "process.migrate_refused"}
    # the migrated campaign goes on: its initiation task is still open and can be completed
    initiate(app, s, first)
    assert len(open_tasks(app, first, "partner_confirmation")) == len(s["partners"])
