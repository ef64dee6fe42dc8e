"""Deployed decision tables (DMN) in the designer: versions, validate, deploy a new version.

A decision is stored as a ProcessDefinition whose process_id is 'dmn:<decision id>' (services.workflow.deployments);
its versions are listed apart from the BPMN processes, and a new version deploys only when it validates.
"""
from sqlalchemy import select

from engine.parser import ModelError, parse_decision
from extensions import db
from models import ProcessDefinition, User
from services.workflow import deployments
from services.designer import processes as designer
from services.workflow import validation
from services.errors import NotFound, ValidationFailed

PREFIX = deployments.DECISION_PREFIX


def decision_ids() -> list[str]:
    keys = db.session.scalars(select(ProcessDefinition.process_id).distinct()
                              .where(ProcessDefinition.process_id.like(PREFIX + "%"))
                              .order_by(ProcessDefinition.process_id))
    return [key[len(PREFIX):] for key in keys]


def overview(viewer: User | None) -> list[tuple[str, list[designer.VersionRow]]]:
    return [(decision_id, versions(viewer, decision_id)) for decision_id in decision_ids()]


def versions(viewer: User | None, decision_id: str) -> list[designer.VersionRow]:
    try:
        return designer.versions(viewer, PREFIX + decision_id)
    except NotFound:
        raise NotFound(f"决策表 {decision_id} 尚未部署") from None


def definition(viewer: User | None, decision_id: str, version: int | None = None) -> ProcessDefinition:
    if version is None:
        return versions(viewer, decision_id)[0].definition
    try:
        return designer.definition(viewer, PREFIX + decision_id, version)
    except NotFound:
        raise NotFound(f"决策表 {decision_id} 没有版本 {version}") from None


def validate(dmn_xml: str, decision_id: str | None = None) -> validation.Report:
    """Cell expressions (sandbox rules), then the engine's own parse; the decision id must stay the same."""
    report = validation.Report()
    if len(dmn_xml.encode("utf-8")) > validation.MAX_BYTES:
        report.error(None, f"文件超过 {validation.MAX_BYTES // 1024 // 1024} MB")
        return report
    report.findings.extend(validation.validate_dmn(dmn_xml).findings)
    if not report.ok:
        return report
    try:
        parsed_id = parse_decision(dmn_xml).decision_id
    except ModelError as exc:
        report.error(getattr(exc, "element_id", None), str(exc))
        return report
    report.process_id = PREFIX + parsed_id
    if decision_id is not None and parsed_id != decision_id:
        report.error(parsed_id, f"决策表编号应为 {decision_id}（改名会让引用它的业务规则任务找不到它）")
    return report


def deploy(actor: User | None, decision_id: str, dmn_xml: str) -> tuple[ProcessDefinition, bool]:
    """Validate, then deploy as the next version; returns (definition, whether a new version was made).
    Audited by deployments.deploy_decision ('decision.deploy')."""
    designer.require_deployer(actor, None)  # decision tables serve the whole platform
    current = definition(actor, decision_id)
    report = validate(dmn_xml, decision_id)
    if not report.ok:
        raise ValidationFailed({f.element_id or "_": [f.message] for f in report.errors}, "决策表校验未通过，未部署")
    deployed = deployments.deploy_decision(dmn_xml, f"designer:{decision_id}.dmn", actor)
    db.session.commit()
    return deployed, deployed.id != current.id
