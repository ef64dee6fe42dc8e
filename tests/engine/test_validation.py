"""The validation corpus: every bad model gives its expected error (by element id) and deploys nothing."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.parser import ModelError, parse_process
from extensions import db
from models import AuditRecord, ProcessDefinition, User
from services.designer import processes as designer
from services.workflow import validation
from services.errors import Forbidden, ValidationFailed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bpmn"
WORKFLOWS = Path(__file__).resolve().parent.parent.parent / "workflows"

BAD = {
    "malformed.bpmn": (None, "XML 格式错误"),
    "external_entity.bpmn": (None, "DTD"),
    "no_executable.bpmn": (None, "没有可执行流程"),
    "xsd_invalid.bpmn": ("end", "BPMN 校验失败"),
    "missing_lane.bpmn": ("review", "没有放入泳道"),
    "unknown_lane.bpmn": ("review", "泳道「财务科」没有对应"),
    "unknown_form.bpmn": ("review", "表单「no_such_form」不存在"),
    "bad_sla.bpmn": ("review", "slaDays"),
    "bad_timer.bpmn": ("wait_timer", "定时器「P5 days」无法解析"),
    "back_edge_loop.bpmn": ("f_again", "形成回环"),
    "forbidden_script.bpmn": ("evil_script", "'__subclasses__'"),
    "forbidden_condition.bpmn": ("f_evil", "'__import__'"),
    "uncaught_message.bpmn": ("notify", "消息「nobody_listens」没有任何流程接收"),
}


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def _definitions() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessDefinition))


def test_corpus_is_complete():
    assert sorted(p.name for p in (FIXTURES / "bad").glob("*.bpmn")) == sorted(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_model_gives_expected_error_and_deploys_nothing(app, name):
    element_id, message = BAD[name]
    xml = (FIXTURES / "bad" / name).read_text(encoding="utf-8")
    with app.app_context():
        report = validation.validate(xml)
        assert not report.ok
        assert any(f.element_id == element_id and message in f.message for f in report.errors), report.as_dict()
        before = _definitions()
        with pytest.raises(ValidationFailed):
            designer.deploy_model(_user("designer"), xml, name)
        assert _definitions() == before


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.bpmn")), ids=lambda p: p.name)
def test_bundled_workflows_validate(app, path):
    with app.app_context():
        report = validation.validate(path.read_text(encoding="utf-8"))
        assert report.ok, report.as_dict()
        assert report.warnings == []


def test_timer_rules(app):
    def timer(kind, expr):
        return (FIXTURES / "bad" / "bad_timer.bpmn").read_text(encoding="utf-8").replace(
            '<bpmn:timeDuration>"P5 days"</bpmn:timeDuration>', f"<bpmn:{kind}>{expr}</bpmn:{kind}>")
    with app.app_context():
        for kind, expr in [("timeDuration", '"P5D"'), ("timeDate", '"2026-12-01T09:00:00+08:00"'),
                           ("timeCycle", '"R3/PT1H"')]:
            assert validation.validate(timer(kind, expr)).ok, (kind, expr)
        assert validation.validate(timer("timeDuration", "deadline")).warnings  # run-time value: a warning
        for kind, expr in [("timeDuration", "P5D"), ("timeDate", '"P5D"'), ("timeCycle", '"every day"'),
                           ("timeDuration", "open('/etc/passwd')")]:
            assert not validation.validate(timer(kind, expr)).ok, (kind, expr)


def test_message_caught_by_another_deployed_process_is_fine(app):
    xml = (FIXTURES / "bad" / "uncaught_message.bpmn").read_text(encoding="utf-8").replace(
        'name="nobody_listens"', 'name="inspections_completed"')
    with app.app_context():
        assert validation.validate(xml).ok  # the deployed campaign catches inspections_completed
        assert not validation.validate(xml, other_models=[]).ok


def test_parser_refuses_entities_before_spiffworkflow_sees_them():
    xml = (FIXTURES / "bad" / "external_entity.bpmn").read_text(encoding="utf-8")
    with pytest.raises(ModelError, match="DTD"):
        parse_process(xml)
    bomb = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<d>&b;</d>')
    with pytest.raises(ModelError):
        parse_process(bomb)


@pytest.mark.parametrize("name", ["camunda_modeler.bpmn", "signavio.bpmn", "bpmnio_demo.bpmn"])
def test_foreign_models_open_with_warnings_not_crashes(app, name):
    xml = (FIXTURES / "foreign" / name).read_text(encoding="utf-8")
    with app.app_context():
        report = validation.validate(xml)
        assert report.process_id
        if name != "bpmnio_demo.bpmn":
            assert any("未知扩展" in w.message for w in report.warnings)
        if name == "camunda_modeler.bpmn":  # camunda:formKey is not ours: the designer must set formKey
            assert {f.element_id for f in report.errors} >= {"Activity_register", "Activity_handle"}
        else:
            assert report.ok, report.as_dict()


def test_only_designers_deploy_and_deploys_are_audited(app):
    xml = (WORKFLOWS / "campaign.bpmn").read_text(encoding="utf-8").replace(
        'name="slaDays" value="10"', 'name="slaDays" value="12"', 1)
    with app.app_context():
        with pytest.raises(Forbidden):
            designer.deploy_model(_user("scjg_01"), xml, "campaign.bpmn")
        definition, _ = designer.deploy_model(_user("designer"), xml, "campaign.bpmn")
        assert definition.version == 2
        audit = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "process.deploy",
                                                            AuditRecord.object_id == definition.id))
        assert audit.actor_id == _user("designer").id


def test_cli_validate_and_deploy(app, tmp_path):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["process", "validate", str(FIXTURES / "bad" / "unknown_form.bpmn")])
    assert bad.exit_code == 1 and "[review]" in bad.output and "no_such_form" in bad.output
    good = runner.invoke(args=["process", "validate", str(WORKFLOWS / "campaign.bpmn")])
    assert good.exit_code == 0, good.output
    changed = tmp_path / "campaign.bpmn"
    changed.write_text((WORKFLOWS / "campaign.bpmn").read_text(encoding="utf-8").replace(
        'name="slaDays" value="3"', 'name="slaDays" value="4"'), encoding="utf-8")
    deployed = runner.invoke(args=["process", "deploy", str(changed), "--user", "designer"])
    assert deployed.exit_code == 0 and "版本 2" in deployed.output, deployed.output
    refused = runner.invoke(args=["process", "deploy", str(FIXTURES / "bad" / "back_edge_loop.bpmn")])
    assert refused.exit_code == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(ProcessDefinition.process_id == "bad_back_edge")) == 0
