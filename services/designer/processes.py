"""The process designer's use cases: validate and deploy models, versions, drafts, compare, roll back, heat map.

Only designers may deploy (the CLI acts as the console operator, actor None). Every deploy
and roll-back is audited by services.workflow.deployments.deploy / here.
"""
import json
from dataclasses import dataclass, field

from lxml import etree
from sqlalchemy import func, select

from engine.parser import ModelError, parse_xml
from extensions import db
from forms.loader import FORM_DIR
from models import HumanTask, ProcessDefinition, ProcessDraft, Region, User, WorkflowInstance
from services import audit
from services.workflow import clock
from services.workflow import deployments
from services.workflow import registry
from services.workflow import validation
from services.workflow.assignment import LANE_RULES
from services.errors import DomainError, Forbidden, NotFound, ValidationFailed
from services.org import scope
from services.lookup import get_or_404

MAX_UPLOAD_BYTES = validation.MAX_BYTES


CHANGE_NOTE_REQUIRED = "请填写变更说明（2–500 字）：这一版改了什么、为什么"


def require_designer(actor: User | None) -> None:
    if actor is not None and not actor.has_role("designer"):
        raise Forbidden("只有流程设计员可以修改和部署流程")


def require_reader(viewer: User | None) -> None:
    """The designer's pages and the reads behind them (versions, drafts, models) are for designers; None is the
    system (the CLI, bundled deployments)."""
    if viewer is not None and not viewer.has_role("designer"):
        raise Forbidden("只有流程设计员可以使用流程设计器")


def require_deployer(actor: User | None, region_id: int | None) -> None:
    """A designer deploys for a region of their own subtree (its subtree inherits the version); deploying for the
    whole platform (region None) needs a designer of the top level (no region: services/org/scope.py)."""
    require_designer(actor)
    if actor is None:
        return
    if region_id is None and not scope.is_platform_wide(actor):
        raise Forbidden("部署到全平台需要全平台范围的流程设计员；您可以为本辖区部署")
    if region_id is not None and not scope.covers(actor, region_id):
        raise Forbidden("只能为您管辖的区划部署流程")


def deploy_regions(actor: User) -> list[Region]:
    """The regions the designer may deploy for (their subtree), in code order."""
    return list(db.session.scalars(select(Region).where(scope.clause(actor, Region.id)).order_by(Region.code)))


def deploy_model(actor: User | None, bpmn_xml: str, source_name: str, change_note: str | None = None,
                 region_id: int | None = None) -> tuple[ProcessDefinition, validation.Report]:
    """Validate, then deploy as a new version for the platform or for `region_id`'s subtree; nothing invalid
    deploys. The designer's page always sends a change note (变更说明) and it must say something; the CLI and
    bundled deployments may go without."""
    if region_id is not None and db.session.get(Region, region_id) is None:
        raise ValidationFailed({"region_id": ["区划不存在"]}, "区划不存在，未部署")
    require_deployer(actor, region_id)
    if change_note is not None:
        change_note = change_note.strip()
        if not 2 <= len(change_note) <= 500:
            raise ValidationFailed({"change_note": [CHANGE_NOTE_REQUIRED]}, "未填写变更说明，未部署")
    report = validation.validate(bpmn_xml)
    if not report.ok:
        raise ValidationFailed({f.element_id or "_": [f.message] for f in report.errors},
                               "流程校验未通过，未部署")
    try:
        definition = deployments.deploy(bpmn_xml, source_name, actor, change_note, region_id)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return definition, report


def read_upload(data: bytes, filename: str) -> str:
    """An uploaded BPMN file: size-limited, UTF-8 XML only, parsed safely (no DTD/entities)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed({"file": [f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB"]})
    if not filename.lower().endswith((".bpmn", ".xml", ".bpmn20.xml")):
        raise ValidationFailed({"file": ["只能导入 .bpmn 或 .xml 文件"]})
    try:
        text = data.decode("utf-8-sig")
        root = parse_xml(text)
    except (UnicodeDecodeError, ModelError) as exc:
        raise ValidationFailed({"file": [f"不是有效的 UTF-8 XML 文件: {exc}"]}) from exc
    if etree.QName(root).localname != "definitions":
        raise ValidationFailed({"file": ["不是 BPMN 文件（根元素应为 definitions）"]})
    return text


@dataclass(frozen=True)
class VersionRow:
    definition: ProcessDefinition
    deployed_by: str
    running: int
    total: int
    newest_of_line: bool = False  # the newest version of its region's line (or of the platform's)


def process_ids(viewer: User | None) -> list[str]:
    """BPMN processes only: decision tables ('dmn:' ids) are listed by services.designer.decisions."""
    require_reader(viewer)
    return list(db.session.scalars(select(ProcessDefinition.process_id).distinct()
                                   .where(ProcessDefinition.process_id.not_like(deployments.DECISION_PREFIX + "%"))
                                   .order_by(ProcessDefinition.process_id)))


def versions(viewer: User | None, process_id: str) -> list[VersionRow]:
    require_reader(viewer)
    counts = dict(((definition_id, status), n) for definition_id, status, n in db.session.execute(
        select(WorkflowInstance.definition_id, WorkflowInstance.status, func.count())
        .join(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
        .group_by(WorkflowInstance.definition_id, WorkflowInstance.status)))
    rows = db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
                              .order_by(ProcessDefinition.version.desc())).all()
    if not rows:
        raise NotFound(f"流程 {process_id} 尚未部署")
    users = {u.id: u.display_name for u in db.session.scalars(
        select(User).where(User.id.in_({r.deployed_by_id for r in rows if r.deployed_by_id})))}
    seen: set[int | None] = set()
    out = []
    for r in rows:
        out.append(VersionRow(r, users.get(r.deployed_by_id, "系统"), counts.get((r.id, "running"), 0),
                              sum(n for (d, _), n in counts.items() if d == r.id), r.region_id not in seen))
        seen.add(r.region_id)
    return out


def definition(viewer: User | None, process_id: str, version: int) -> ProcessDefinition:
    require_reader(viewer)
    return _definition(process_id, version)


def _definition(process_id: str, version: int) -> ProcessDefinition:
    found = db.session.scalar(select(ProcessDefinition).where(
        ProcessDefinition.process_id == process_id, ProcessDefinition.version == version))
    if found is None:
        raise NotFound(f"流程 {process_id} 没有版本 {version}")
    return found


def roll_back(actor: User | None, process_id: str, version: int) -> ProcessDefinition:
    """Deploy an earlier version's content as the newest version of its line (the platform's or its region's;
    history is never rewritten)."""
    old = _definition(process_id, version)
    require_deployer(actor, old.region_id)
    current = deployments.latest(process_id, old.region_id)
    if current.content_hash == old.content_hash:
        raise DomainError(f"版本 {version} 与当前最新版本内容相同，无需回滚")
    new, _ = deploy_model(actor, old.bpmn_xml, f"rollback:v{version}:{old.source_name}", f"回滚到 v{version}",
                          old.region_id)
    audit.record(actor, "process.rollback", "process_definition", new.id, process_id=process_id,
                 from_version=current.version, restored_version=version, new_version=new.version)
    db.session.commit()
    return new


def heat_map(definition_: ProcessDefinition) -> dict[str, int]:
    """Running instances of this version per element they wait on (open human tasks by element)."""
    rows = db.session.execute(
        select(HumanTask.element_id, func.count(func.distinct(HumanTask.instance_id)))
        .join(WorkflowInstance, HumanTask.instance_id == WorkflowInstance.id)
        .where(WorkflowInstance.definition_id == definition_.id, WorkflowInstance.status == "running",
               HumanTask.status == "open")
        .group_by(HumanTask.element_id))
    counts = {element_id: n for element_id, n in rows}
    # Instances with no open task wait on an event (a message or timer): count them by their waiting element.
    waiting = db.session.scalars(select(WorkflowInstance).where(
        WorkflowInstance.definition_id == definition_.id, WorkflowInstance.status == "running",
        ~select(HumanTask.id).where(HumanTask.instance_id == WorkflowInstance.id,
                                    HumanTask.status == "open").exists()).limit(500)).all()
    if waiting:
        from services.workflow import runtime  # runtime imports deployments; keep designer importable without a cycle
        from engine import runner
        for instance in waiting:
            for element_id, state in runner.element_states(runtime.load(instance)).items():
                if state == "active":
                    counts[element_id] = counts.get(element_id, 0) + 1
    return counts


# Drafts ---------------------------------------------------------------------------------------------------

def save_draft(actor: User, process_id: str, bpmn_xml: str, draft_id: int | None = None) -> ProcessDraft:
    require_designer(actor)
    if not process_id or len(process_id) > 100:
        raise ValidationFailed({"process_id": ["流程标识应为 1–100 个字符"]})
    if len(bpmn_xml.encode("utf-8")) > MAX_UPLOAD_BYTES:
        raise ValidationFailed({"bpmn_xml": ["草稿过大"]})
    try:
        parse_xml(bpmn_xml)
    except ModelError as exc:
        raise ValidationFailed({"bpmn_xml": [str(exc)]}) from exc
    draft = db.session.get(ProcessDraft, draft_id) if draft_id else None
    if draft_id and draft is None:
        raise NotFound("草稿不存在")
    now = clock.now()
    if draft is None:
        current = deployments.latest_or_none(process_id)
        draft = ProcessDraft(process_id=process_id, base_version=current.version if current else None,
                             created_by_id=actor.id, created_at=now, bpmn_xml=bpmn_xml, updated_at=now)
        db.session.add(draft)
    draft.bpmn_xml, draft.updated_at, draft.updated_by_id = bpmn_xml, now, actor.id
    db.session.flush()
    audit.record(actor, "process.draft_save", "process_draft", draft.id, process_id=process_id)
    db.session.commit()
    return draft


def drafts(viewer: User | None, process_id: str | None = None) -> list[ProcessDraft]:
    require_reader(viewer)
    query = select(ProcessDraft).order_by(ProcessDraft.updated_at.desc())
    if process_id:
        query = query.where(ProcessDraft.process_id == process_id)
    return list(db.session.scalars(query))


def draft(viewer: User | None, draft_id: int) -> ProcessDraft:
    require_reader(viewer)
    return get_or_404(ProcessDraft, draft_id, "草稿不存在")



# Compare ---------------------------------------------------------------------------------------------------

_CONTAINERS = {"definitions", "process", "subProcess", "transaction", "adHocSubProcess", "collaboration",
               "laneSet", "lane"}
_NOISE = {"incoming", "outgoing", "flowNodeRef"}  # follow from other elements' changes


@dataclass(frozen=True)
class Comparison:
    added: list[tuple[str, str]]
    removed: list[tuple[str, str]]
    changed: list[tuple[str, str]]
    details: dict[str, list[tuple[str, str | None, str | None]]] = field(default_factory=dict)  # id -> (aspect, old, new)


def _model_elements(bpmn_xml: str) -> dict[str, tuple[str, bytes]]:
    """Element id -> (label, canonical XML without its nested model elements and layout)."""
    root = parse_xml(bpmn_xml)
    found = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or "BPMN/20100524/MODEL" not in element.tag or element.get("id") is None:
            continue
        parent = element.getparent()
        if parent is None or etree.QName(parent).localname not in _CONTAINERS:
            continue
        copy = etree.fromstring(etree.tostring(element))
        for child in list(copy):
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            if name in _NOISE or (name in _CONTAINERS | {"laneSet"} or
                                  (child.get("id") and etree.QName(copy).localname in _CONTAINERS)):
                copy.remove(child)
        for node in copy.iter():
            node.tail = None
            if node.text is not None:
                node.text = node.text.strip() or None
        label = f"{etree.QName(element).localname} {element.get('name') or ''}".strip()
        found[element.get("id")] = (label, etree.tostring(copy, method="c14n"))
    return found


def compare(old: ProcessDefinition, new: ProcessDefinition) -> Comparison:
    a, b = _model_elements(old.bpmn_xml), _model_elements(new.bpmn_xml)
    changed = [(i, b[i][0]) for i in sorted(set(a) & set(b)) if a[i][1] != b[i][1]]
    before, after = element_aspects(old.bpmn_xml), element_aspects(new.bpmn_xml)
    details = {}
    for element_id, _label in changed:
        old_aspects, new_aspects = before.get(element_id, {}), after.get(element_id, {})
        rows = [(aspect, old_aspects.get(aspect), new_aspects.get(aspect)) for aspect in ASPECTS
                if old_aspects.get(aspect) != new_aspects.get(aspect)]
        details[element_id] = rows or [("other", None, None)]
    return Comparison(
        added=[(i, b[i][0]) for i in sorted(set(b) - set(a))],
        removed=[(i, a[i][0]) for i in sorted(set(a) - set(b))],
        changed=changed, details=details,
    )


# What a designer changes on an element, in the order the compare page lists it ("other": something else, such as
# a documentation text or an extension this page does not name).
ASPECTS = ("name", "sla", "form", "stage", "condition", "script", "lane", "timer", "target")


def element_aspects(bpmn_xml: str) -> dict[str, dict[str, str]]:
    """Per element id: the aspects a designer edits, as plain text (absent ones left out)."""
    root = parse_xml(bpmn_xml)
    lanes = {ref.text.strip(): lane.get("name") or lane.get("id")
             for lane in root.iter("{*}lane") for ref in lane.iter("{*}flowNodeRef") if ref.text}
    out: dict[str, dict[str, str]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or element.get("id") is None or "MODEL" not in element.tag:
            continue
        aspects: dict[str, str] = {}
        properties = {p.get("name"): p.get("value") for p in element.iterfind("{*}extensionElements/{*}properties/{*}property")}
        for aspect, value in (("name", element.get("name")), ("sla", properties.get("slaDays")),
                              ("form", properties.get("formKey")), ("stage", properties.get("stage")),
                              ("lane", lanes.get(element.get("id"))),
                              ("target", element.get("targetRef") and f"{element.get('sourceRef')} → {element.get('targetRef')}")):
            if value:
                aspects[aspect] = value
        condition = element.find("{*}conditionExpression")
        script = element.find("{*}script")
        timer = next((t for t in element.iter("{*}timeDuration", "{*}timeDate", "{*}timeCycle")), None)
        for aspect, node in (("condition", condition), ("script", script), ("timer", timer)):
            if node is not None and (node.text or "").strip():
                aspects[aspect] = node.text.strip()
        out[element.get("id")] = aspects
    return out


def modeler_options(viewer: User | None) -> dict:
    """Choices the properties panel offers: what this engine can actually resolve."""
    require_reader(viewer)
    forms = {}
    for path in sorted(FORM_DIR.glob("*.json")):
        forms[path.stem] = json.loads(path.read_text(encoding="utf-8")).get("title", path.stem)
    decisions = []
    for path in sorted(validation.WORKFLOW_DIR.glob("*.dmn")):
        decisions += [d.get("id") for d in parse_xml(path.read_text(encoding="utf-8")).iter("{*}decision")]
    return {"forms": forms, "lanes": sorted(k for k in LANE_RULES if not k.isascii()),
            "operations": sorted(registry.OPERATIONS), "processes": process_ids(viewer), "decisions": decisions}


def decision_files(viewer: User | None) -> list[str]:
    """The decision tables shipped in workflows/ (deployed or not)."""
    require_reader(viewer)
    return [p.stem for p in sorted(validation.WORKFLOW_DIR.glob("*.dmn"))]


def decision_xml(viewer: User | None, name: str) -> str:
    if name not in decision_files(viewer):
        raise NotFound(f"决策表 {name} 不存在")
    return (validation.WORKFLOW_DIR / f"{name}.dmn").read_text(encoding="utf-8")
