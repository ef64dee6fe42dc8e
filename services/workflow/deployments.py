"""Versioned process definitions: deploy a BPMN source, find the newest, parse once per version."""
import hashlib
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select

from engine.parser import ModelError, ParsedDecision, ParsedProcess, is_dmn, parse_decision, parse_process
from extensions import db
from models import ProcessDefinition, User
from services import audit
from services.designer import sanitise
from services.workflow import clock
from services.errors import DomainError, NotFound

WORKFLOW_DIR = Path(__file__).resolve().parents[2] / "workflows"


def deploy(bpmn_xml: str, source_name: str, actor: User | None, change_note: str | None = None) -> ProcessDefinition:
    """Deploy a new version unless the newest one already has this exact content."""
    if is_dmn(bpmn_xml):
        return deploy_decision(bpmn_xml, source_name, actor)
    try:
        bpmn_xml = sanitise.clean(bpmn_xml)  # browser markup refused, unknown namespaces stripped
        process_id = parse_process(bpmn_xml).process_id
    except ModelError as exc:
        raise DomainError(str(exc), element_id=exc.element_id) from exc
    digest = hashlib.sha256(bpmn_xml.encode("utf-8")).hexdigest()
    current = latest_or_none(process_id)
    if current is not None and current.content_hash == digest:
        return current
    definition = ProcessDefinition(
        process_id=process_id, version=(current.version + 1) if current else 1,
        content_hash=digest, bpmn_xml=bpmn_xml, source_name=source_name,
        deployed_by_id=actor.id if actor else None, deployed_at=clock.now(), change_note=change_note,
    )
    db.session.add(definition)
    db.session.flush()
    audit.record(actor, "process.deploy", "process_definition", definition.id,
                 process_id=process_id, version=definition.version, content_hash=digest, change_note=change_note)
    return definition


def deploy_bundled(actor: User | None = None) -> list[ProcessDefinition]:
    """Deploy every model shipped in workflows/ (idempotent: unchanged files make no new version)."""
    deployed = [deploy(path.read_text(encoding="utf-8"), path.name, actor)
                for path in sorted(WORKFLOW_DIR.glob("*.bpmn"))]
    deployed += [deploy_decision(path.read_text(encoding="utf-8"), path.name, actor)
                 for path in sorted(WORKFLOW_DIR.glob("*.dmn"))]
    db.session.commit()
    return deployed


def latest_or_none(process_id: str) -> ProcessDefinition | None:
    newest = select(func.max(ProcessDefinition.version)).where(ProcessDefinition.process_id == process_id)
    return db.session.scalar(select(ProcessDefinition).where(
        ProcessDefinition.process_id == process_id, ProcessDefinition.version == newest.scalar_subquery()))


def latest(process_id: str) -> ProcessDefinition:
    definition = latest_or_none(process_id)
    if definition is None:
        raise NotFound(f"流程 {process_id} 尚未部署")
    return definition


def parsed(definition: ProcessDefinition) -> ParsedProcess:
    return _parse_cached(definition.id, definition.content_hash, definition.bpmn_xml, definition.process_id)


@lru_cache(maxsize=64)
def _parse_cached(definition_id: int, content_hash: str, bpmn_xml: str, process_id: str) -> ParsedProcess:
    # Keyed by id *and* hash: ids restart in a fresh test database.
    return parse_process(bpmn_xml, process_id)


# DMN decision tables are versioned like processes, under the id "dmn:<decision id>", so a designer
# edits grade.dmn as any other model and each HandlingDecision records the version that suggested it.
DECISION_PREFIX = "dmn:"


def deploy_decision(dmn_xml: str, source_name: str, actor: User | None) -> ProcessDefinition:
    try:
        dmn_xml = sanitise.clean(dmn_xml)
        decision_id = parse_decision(dmn_xml).decision_id
    except ModelError as exc:
        raise DomainError(str(exc), element_id=exc.element_id) from exc
    key = DECISION_PREFIX + decision_id
    digest = hashlib.sha256(dmn_xml.encode("utf-8")).hexdigest()
    current = latest_or_none(key)
    if current is not None and current.content_hash == digest:
        return current
    definition = ProcessDefinition(
        process_id=key, version=(current.version + 1) if current else 1, content_hash=digest, bpmn_xml=dmn_xml,
        source_name=source_name, deployed_by_id=actor.id if actor else None, deployed_at=clock.now())
    db.session.add(definition)
    db.session.flush()
    audit.record(actor, "decision.deploy", "process_definition", definition.id,
                 process_id=key, version=definition.version, content_hash=digest)
    return definition


def latest_decision(decision_id: str) -> tuple[ProcessDefinition, ParsedDecision]:
    definition = latest(DECISION_PREFIX + decision_id)
    return definition, _parse_decision_cached(definition.id, definition.content_hash, definition.bpmn_xml)


@lru_cache(maxsize=16)
def _parse_decision_cached(definition_id: int, content_hash: str, dmn_xml: str) -> ParsedDecision:
    return parse_decision(dmn_xml)
