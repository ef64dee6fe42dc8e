"""BPMN/DMN accepted for deploy carry no browser markup; stored models are downloaded, never rendered."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extensions import db
from models import ProcessDefinition
from services.designer import sanitise
from services.workflow import deployments
from services.errors import DomainError
from tests.conftest import csrf_token, login

ROOT = Path(__file__).resolve().parent.parent.parent / "workflows"
CAMPAIGN = (ROOT / "campaign.bpmn").read_text(encoding="utf-8")
GRADE = (ROOT / "grade.dmn").read_text(encoding="utf-8")
XHTML = 'xmlns:h="http://www.w3.org/1999/xhtml"'
FIRST_EXTENSIONS = "<bpmn:extensionElements>"


def _inject(xml: str, markup: str, declaration: str = "") -> str:
    assert FIRST_EXTENSIONS in xml
    xml = xml.replace(FIRST_EXTENSIONS, FIRST_EXTENSIONS + markup, 1)
    return xml.replace("<bpmn:definitions ", f"<bpmn:definitions {declaration} ", 1) if declaration else xml


HOSTILE = [
    ("xhtml script", _inject(CAMPAIGN, "<h:script>alert(document.cookie)</h:script>", XHTML)),
    ("img onerror", _inject(CAMPAIGN, '<h:img src="x" onerror="alert(1)"/>', XHTML)),
    ("svg", _inject(CAMPAIGN, '<s:svg><s:a href="#"/></s:svg>', 'xmlns:s="http://www.w3.org/2000/svg"')),
    ("handler on a custom element", _inject(CAMPAIGN, '<x:note onload="fetch(1)"/>', 'xmlns:x="urn:example:notes"')),
    ("javascript url", _inject(CAMPAIGN, '<x:link target="javascript:alert(1)"/>', 'xmlns:x="urn:example:notes"')),
    ("iframe without namespace declared elsewhere", _inject(CAMPAIGN, '<x:iframe src="https://evil.example"/>',
                                                           'xmlns:x="urn:example:other"')),
    ("stylesheet PI", CAMPAIGN.replace("<bpmn:definitions ", '<?xml-stylesheet type="text/xsl" href="x.xsl"?>'
                                                            "<bpmn:definitions ", 1)),
]


def _designer(app):
    client = app.test_client()
    login(client, "designer")
    return client, {"X-CSRFToken": csrf_token(client, "/designer/")}


def _versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(ProcessDefinition.process_id == "campaign"))


@pytest.mark.parametrize("label,xml", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_browser_markup_is_refused_at_validate_and_deploy(app, label, xml):
    client, headers = _designer(app)
    report = client.post("/designer/validate", json={"xml": xml}, headers=headers).get_json()
    assert report["ok"] is False, label
    assert any("不允许" in e["message"] or "可执行的链接" in e["message"] for e in report["errors"]), report["errors"]
    refused = client.post("/designer/deploy", json={"xml": xml, "change_note": "测试：安全检查"}, headers=headers)
    assert refused.status_code == 422
    assert _versions(app) == 1  # nothing deployed
    with app.app_context(), pytest.raises(DomainError):  # the CLI and bundled path refuse it too
        deployments.deploy(xml, "test", None)


def test_unknown_namespace_markup_is_stripped_with_a_warning(app):
    xml = _inject(CAMPAIGN, '<x:note x:by="someone">remember</x:note>', 'xmlns:x="urn:example:notes"')
    client, headers = _designer(app)
    report = client.post("/designer/validate", json={"xml": xml}, headers=headers).get_json()
    assert report["ok"] is True and any("将在部署时删除" in w["message"] for w in report["warnings"])
    deployed = client.post("/designer/deploy", json={"xml": xml, "change_note": "测试：安全检查"}, headers=headers).get_json()
    assert deployed["version"] == 2
    stored = client.get("/designer/processes/campaign/v2.bpmn").get_data(as_text=True)
    assert "urn:example:notes" not in stored and "remember" not in stored
    assert 'id="initiation"' in stored  # the model itself is intact


def test_clean_leaves_known_models_byte_for_byte():
    assert sanitise.clean(CAMPAIGN) == CAMPAIGN
    assert sanitise.clean(GRADE) == GRADE


@pytest.mark.parametrize("path", ["/designer/processes/campaign/v1.bpmn", "/designer/decisions/grade.dmn",
                                  "/designer/decisions/grade/v1.dmn"])
def test_model_downloads_are_attachments_under_a_sandbox(app, path):
    client, _ = _designer(app)
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_decision_table_with_browser_markup_is_refused(app):
    hostile = GRADE.replace("<decisionTable ", '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'
                                               "<decisionTable ", 1)
    assert hostile != GRADE
    client, headers = _designer(app)
    refused = client.post("/designer/decisions/grade/deploy", json={"xml": hostile}, headers=headers)
    assert refused.status_code == 422
    assert any("不允许的网页标记" in e["message"] for e in refused.get_json()["errors"])
