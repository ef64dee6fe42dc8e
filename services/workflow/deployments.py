"""Versioned process definitions: deploy a BPMN source, find the newest, parse once per version.

A version is deployed for the whole platform (region NULL) or for a region and its subtree, so a county can
run its own variant of a diagram while the rest keep the province's. Each region's line (and the platform's)
has its own newest version; a new instance starts on the newest version of the nearest line above its region
(`for_region`). Version numbers are one sequence per process across all lines.
"""
import hashlib
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select

from engine.parser import ModelError, ParsedDecision, ParsedProcess, is_dmn, parse_decision, parse_process
from extensions import db
from models import ProcessDefinition, User
from services import audit
from services.designer import sanitise
from services.org import scope
from services.workflow import clock
from services.errors import DomainError, NotFound

WORKFLOW_DIR = Path(__file__).resolve().parents[2] / "workflows"


def deploy(bpmn_xml: str, source_name: str, actor: User | None, change_note: str | None = None,
           region_id: int | None = None) -> ProcessDefinition:
    """Deploy a new version for the platform (or for `region_id`'s subtree) unless that line's newest version
    already has this exact content."""
    if is_dmn(bpmn_xml):
        return deploy_decision(bpmn_xml, source_name, actor)
    try:
        bpmn_xml = sanitise.clean(bpmn_xml)  # browser markup refused, unknown namespaces stripped
        process_id = parse_process(bpmn_xml).process_id
    except ModelError as exc:
        raise DomainError(str(exc), element_id=exc.element_id) from exc
    digest = hashlib.sha256(bpmn_xml.encode("utf-8")).hexdigest()
    current = latest_or_none(process_id, region_id)
    if current is not None and current.content_hash == digest:
        return current
    definition = ProcessDefinition(
        process_id=process_id, version=_next_version(process_id),
        content_hash=digest, bpmn_xml=bpmn_xml, source_name=source_name, region_id=region_id,
        deployed_by_id=actor.id if actor else None, deployed_at=clock.now(), change_note=change_note,
    )
    db.session.add(definition)
    db.session.flush()
    audit.record(actor, "process.deploy", "process_definition", definition.id, process_id=process_id,
                 version=definition.version, content_hash=digest, change_note=change_note, region_id=region_id)
    return definition


def deploy_bundled(actor: User | None = None) -> list[ProcessDefinition]:
    """Deploy every model shipped in workflows/ (idempotent: unchanged files make no new version)."""
    deployed = [deploy(path.read_text(encoding="utf-8"), path.name, actor)
                for path in sorted(WORKFLOW_DIR.glob("*.bpmn"))]
    deployed += [deploy_decision(path.read_text(encoding="utf-8"), path.name, actor)
                 for path in sorted(WORKFLOW_DIR.glob("*.dmn"))]
    db.session.commit()
    return deployed


def deploy_new_bundled() -> list[ProcessDefinition]:
    """Deploy the models shipped in workflows/ whose process has no platform version yet: what a release that
    adds a process needs (its migrations alone deploy nothing). Models already deployed are left as they are,
    so a release never replaces a version the designers deployed."""
    deployed = []
    for path in sorted(WORKFLOW_DIR.glob("*.bpmn")):
        xml = path.read_text(encoding="utf-8")
        if latest_or_none(parse_process(sanitise.clean(xml)).process_id) is None:
            deployed.append(deploy(xml, path.name, None, change_note="随版本发布的新流程"))
    db.session.commit()
    return deployed


def _next_version(process_id: str) -> int:
    newest = db.session.scalar(select(func.max(ProcessDefinition.version))
                               .where(ProcessDefinition.process_id == process_id))
    return (newest or 0) + 1


def latest_or_none(process_id: str, region_id: int | None = None) -> ProcessDefinition | None:
    """The newest version of one line: the platform's (region None) or exactly `region_id`'s."""
    line = ProcessDefinition.region_id.is_(None) if region_id is None else ProcessDefinition.region_id == region_id
    return db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id, line)
                              .order_by(ProcessDefinition.version.desc()).limit(1)).first()


def latest(process_id: str, region_id: int | None = None) -> ProcessDefinition:
    definition = latest_or_none(process_id, region_id)
    if definition is None:
        raise NotFound(f"流程 {process_id} 尚未部署")
    return definition


def for_region(process_id: str, region_id: int | None) -> ProcessDefinition:
    """The version a new instance of `region_id` starts on: the newest of the nearest region line above it
    (the region itself first), else the platform's."""
    regional = {} if region_id is None else dict(db.session.execute(
        select(ProcessDefinition.region_id, func.max(ProcessDefinition.version))
        .where(ProcessDefinition.process_id == process_id, ProcessDefinition.region_id.is_not(None))
        .group_by(ProcessDefinition.region_id)).all())
    if regional:
        for ancestor in scope.ancestors(region_id):
            if ancestor in regional:
                return db.session.scalars(select(ProcessDefinition).where(
                    ProcessDefinition.process_id == process_id,
                    ProcessDefinition.version == regional[ancestor])).one()
    return latest(process_id)


def parsed(definition: ProcessDefinition) -> ParsedProcess:
    return _parse_cached(definition.id, definition.content_hash, definition.bpmn_xml, definition.process_id)


@lru_cache(maxsize=64)
def _parse_cached(definition_id: int, content_hash: str, bpmn_xml: str, process_id: str) -> ParsedProcess:
    # Keyed by id *and* hash: ids restart in a fresh test database.
    return parse_process(bpmn_xml, process_id)


@lru_cache(maxsize=64)
def parsed_by_key(definition_id: int, content_hash: str, process_id: str) -> ParsedProcess:
    """`parsed` for a caller that read the definition's id, hash and process id but not its XML (a completion:
    fetching, hashing and comparing the XML as a cache key was work on every call). The hash is the XML's
    sha256 (`deploy`), so the key names the model as surely as the XML does; the row is read only on a miss."""
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None or (definition.content_hash, definition.process_id) != (content_hash, process_id):
        raise LookupError(f"process definition {definition_id} is not {process_id} {content_hash[:12]}")
    return parsed(definition)


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
