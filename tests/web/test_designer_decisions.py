"""Deployed decision tables on /designer/: listed with versions, viewed, validated, deployed as a new version."""
from pathlib import Path

from sqlalchemy import select

from extensions import db
from models import AuditRecord, ProcessDefinition, User
from services.workflow import deployments
from tests.conftest import csrf_token, login

GRADE = (Path(__file__).resolve().parents[2] / "workflows" / "grade.dmn").read_text(encoding="utf-8")
CHANGED = GRADE.replace('<outputEntry id="r1_handling"><text>"case"</text>', '<outputEntry id="r1_handling"><text>"transfer"</text>')


def designer_client(app):
    client = app.test_client()
    login(client, "designer")
    return client, {"X-CSRFToken": csrf_token(client, "/designer/decisions/grade")}


def test_deployed_decisions_are_listed_apart_from_processes(app):
    client, _ = designer_client(app)
    page = client.get("/designer/").get_data(as_text=True)
    assert 'href="/designer/decisions/grade"' in page and "dmn:grade" not in page
    detail = client.get("/designer/decisions/grade").get_data(as_text=True)
    assert "已部署版本" in detail and "v1（最新）" in detail and 'data-xml="/designer/decisions/grade/v1.dmn"' in detail
    assert client.get("/designer/decisions/grade/v1.dmn").get_data(as_text=True) == GRADE
    assert client.get("/designer/decisions/grade/v9.dmn").status_code == 404
    assert client.get("/designer/decisions/nope").status_code == 404
    official = app.test_client()
    login(official, "scjg_01")
    assert official.get("/designer/decisions/grade").status_code == 403


def test_validate_reports_bad_cells_and_renamed_decisions(app):
    client, headers = designer_client(app)
    assert client.post("/designer/decisions/grade/validate", json={"xml": GRADE}, headers=headers).get_json()["ok"]
    bad = GRADE.replace('<text>"D"</text>', "<text>__import__('os')</text>", 1)
    body = client.post("/designer/decisions/grade/validate", json={"xml": bad}, headers=headers).get_json()
    assert body["ok"] is False and body["errors"][0]["element_id"] == "r1_grade"
    renamed = GRADE.replace('<decision id="grade"', '<decision id="grade2"')
    body = client.post("/designer/decisions/grade/validate", json={"xml": renamed}, headers=headers).get_json()
    assert body["ok"] is False and "决策表编号应为 grade" in body["errors"][0]["message"]
    assert client.post("/designer/decisions/grade/validate", json={"xml": GRADE}).status_code == 400  # CSRF


def test_deploy_a_new_version_from_the_page(app):
    client, headers = designer_client(app)
    bad = GRADE.replace('<text>"D"</text>', "<text>__import__('os')</text>", 1)
    refused = client.post("/designer/decisions/grade/deploy", json={"xml": bad}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["ok"] is False
    same = client.post("/designer/decisions/grade/deploy", json={"xml": GRADE}, headers=headers).get_json()
    assert same["created"] is False and same["version"] == 1
    deployed = client.post("/designer/decisions/grade/deploy", json={"xml": CHANGED}, headers=headers).get_json()
    assert deployed["created"] is True and deployed["version"] == 2
    assert "v2（最新）" in client.get(deployed["url"]).get_data(as_text=True)
    assert client.get("/designer/decisions/grade?version=1").status_code == 200
    with app.app_context():
        definition, decision = deployments.latest_decision("grade")
        assert definition.version == 2 and definition.bpmn_xml == CHANGED
        record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "decision.deploy",
                                                              AuditRecord.object_id == definition.id)).one()
        assert db.session.get(User, record.actor_id).username == "designer" and record.detail["version"] == 2
        assert db.session.scalar(select(ProcessDefinition.id).where(
            ProcessDefinition.process_id == "dmn:grade", ProcessDefinition.version == 3)) is None
    official = app.test_client()
    login(official, "supervisor")
    token = csrf_token(official, "/inbox/")
    assert official.post("/designer/decisions/grade/deploy", json={"xml": CHANGED},
                         headers={"X-CSRFToken": token}).status_code == 403
