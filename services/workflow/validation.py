"""Validate a BPMN model before it may deploy: XSD, SpiffWorkflow spec build, and this platform's rules.

Each finding names the element it is about, so the designer can highlight it on the canvas
and the CLI can list it. Errors block a deploy; warnings (unknown extensions from other
modelers, expressions only known at run time) do not.
"""
import ast
import re
from datetime import datetime, timezone
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from engine.parser import ModelError, parse_process, parse_xml
from engine.timer_events import check_timer
from engine.sandbox import MAX_INSTANCES, check_source
from extensions import db
from forms.loader import FORM_DIR
from models import ProcessDefinition
from services.designer import sanitise
from services.workflow import registry, script_limits
from services.workflow.assignment import LANE_RULES

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
KNOWN_NS = {BPMN, SPIFF, "http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
            "http://www.omg.org/spec/DD/20100524/DI", "http://www.w3.org/2001/XMLSchema-instance",
            # colours written by bpmn-js itself: presentation only
            "http://bpmn.io/schema/bpmn/biocolor/1.0", "http://www.omg.org/spec/BPMN/non-normative/color/1.0"}
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
MAX_BYTES = 2 * 1024 * 1024
WORKFLOW_DIR = Path(__file__).resolve().parents[2] / "workflows"
_ISO_LIKE = re.compile(r"^(R\d*/)?P[0-9YMWDTHS.]+$|^\d{4}-\d{2}-\d{2}")
_WORKDAYS = re.compile(r"^workdays\(\s*(\d{1,4})\s*\)$")
_KINDS = {"timeDate": "日期", "timeDuration": "时长", "timeCycle": "周期"}
CATCHERS = ("startEvent", "intermediateCatchEvent", "boundaryEvent")
THROWERS = ("intermediateThrowEvent", "endEvent")


@dataclass(frozen=True)
class Finding:
    element_id: str | None
    message: str
    level: str = "error"


@dataclass
class Report:
    process_id: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, element_id: str | None, message: str) -> None:
        self.findings.append(Finding(element_id, message))

    def warn(self, element_id: str | None, message: str) -> None:
        self.findings.append(Finding(element_id, message, "warning"))

    def as_dict(self) -> dict:
        return {"ok": self.ok, "process_id": self.process_id,
                "errors": [f.__dict__ for f in self.errors], "warnings": [f.__dict__ for f in self.warnings]}


def validate(bpmn_xml: str, *, other_models: list[str] | None = None) -> Report:
    """Every check that decides whether `bpmn_xml` may deploy. `other_models` are the BPMN sources that
    may catch this model's messages or be called by it (default: the newest deployed version of each process)."""
    report = Report()
    if len(bpmn_xml.encode("utf-8")) > MAX_BYTES:
        report.error(None, f"文件超过 {MAX_BYTES // 1024 // 1024} MB")
        return report
    try:
        root = parse_xml(bpmn_xml)
    except ModelError as exc:
        report.error(None, str(exc))
        return report
    processes = root.findall("bpmn:process", NS)
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    if not executable:
        report.error(None, "没有可执行流程 (process 的 isExecutable 应为 true)")
        return report
    report.process_id = executable[0].get("id")
    _check_markup(root, report)
    for dmn in _dmn_sources():
        report.findings.extend(validate_dmn(dmn).findings)
    _check_spec(bpmn_xml, root, report)
    others = [parse_xml(x) for x in (other_models if other_models is not None else _deployed_models(report.process_id))]
    for process in processes:
        _check_user_tasks(process, report)
        _check_loops(process, report)
        _check_expressions(process, report)
        _check_service_tasks(process, report)
    _check_timers(root, report)
    _check_messages(root, others, report)
    _check_called_elements(root, others, report)
    _check_extensions(root, report)
    return report


def validate_dmn(dmn_xml: str) -> Report:
    """DMN cells are Python evaluated by the sandbox: check each one statically, as SpiffWorkflow's
    DMNEngine will build it ('?' is the input value; '> 2' gets the input prepended)."""
    report = Report()
    try:
        root = parse_xml(dmn_xml)
    except ModelError as exc:
        report.error(None, str(exc))
        return report
    _check_markup(root, report)
    for node in root.iter("{*}inputExpression", "{*}outputEntry"):
        _check_source(report, _owner_id(node), _cell(node), "eval", "决策表表达式")
    for entry in root.iter("{*}inputEntry"):
        text = (_cell(entry) or "").strip()
        if not text or text == "-":
            continue
        expr = re.sub(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)", "dmninputexpr", text)
        if "dmninputexpr" not in expr and check_source(expr, "eval") and not check_source(f"v {expr}", "eval"):
            expr = f"v {expr}"  # a comparison such as '> 2'
        _check_source(report, _owner_id(entry), expr, "eval", "决策表条件")
    return report


def _cell(node) -> str | None:
    text = node.find("{*}text")
    return text.text if text is not None else None


def _dmn_sources() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in sorted(WORKFLOW_DIR.glob("*.dmn")))


def _deployed_models(process_id: str) -> list[str]:
    newest = (select(ProcessDefinition.process_id, func.max(ProcessDefinition.version).label("v"))
              .group_by(ProcessDefinition.process_id).subquery())
    rows = db.session.scalars(select(ProcessDefinition).join(newest, (ProcessDefinition.process_id == newest.c.process_id)
                                                             & (ProcessDefinition.version == newest.c.v))).all()
    return [row.bpmn_xml for row in rows if row.process_id != process_id]


def _check_spec(bpmn_xml: str, root, report: Report) -> None:
    try:
        parse_process(bpmn_xml, report.process_id, dmn_sources=_dmn_sources())
    except ModelError as exc:
        element_id = exc.element_id or _element_at_line(root, getattr(exc.__cause__, "line_number", None))
        report.error(element_id or None, str(exc))


def _element_at_line(root, line) -> str | None:
    """XSD errors carry only a line: name the nearest element with an id there."""
    if not isinstance(line, int):
        return None
    for element in root.iter():
        if element.sourceline == line:
            while element is not None and element.get("id") is None:
                element = element.getparent()
            return element.get("id") if element is not None else None
    return None


def _lanes_by_node(process) -> dict[str, str]:
    lanes = {}
    for lane in process.iter(f"{{{BPMN}}}lane"):  # nested lanes come later in document order: innermost wins
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = lane.get("name") or ""
    return lanes


def properties(element) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in element.findall(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS)}


def _check_user_tasks(process, report: Report) -> None:
    lanes = _lanes_by_node(process)
    for task in process.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}manualTask"):
        task_id, props = task.get("id"), properties(task)
        lane = lanes.get(task_id)
        if lane is None:
            report.error(task_id, "人工任务没有放入泳道：无法确定由哪个部门或角色办理")
        elif lane not in LANE_RULES:
            known = "、".join(sorted(k for k in LANE_RULES if not k.isascii()))
            report.error(task_id, f"泳道「{lane}」没有对应的部门或角色（可用：{known}）")
        form_key = props.get("formKey")
        if not form_key:
            report.error(task_id, "人工任务缺少表单 (formKey)")
        elif not _form_exists(form_key):
            report.error(task_id, f"表单「{form_key}」不存在 (forms/{form_key}.json)")
        sla = props.get("slaDays")
        if sla is not None and not (sla.isdigit() and 0 < int(sla) <= 365):
            report.error(task_id, f"办理时限 slaDays「{sla}」应为 1–365 的工作日数")


def _form_exists(form_key: str) -> bool:
    return form_key.replace("_", "").isalnum() and (FORM_DIR / f"{form_key}.json").is_file()


def _check_loops(process, report: Report) -> None:
    """Back-edges in the sequence-flow graph stall the engine past depth 1000 (ENGINE-NOTES trap 3)."""
    containers = [process, *process.iter(f"{{{BPMN}}}subProcess", f"{{{BPMN}}}transaction")]
    for container in containers:
        graph: dict[str, list[tuple[str, str]]] = {}
        for flow in container.findall("bpmn:sequenceFlow", NS):
            graph.setdefault(flow.get("sourceRef"), []).append((flow.get("targetRef"), flow.get("id")))
        color: dict[str, int] = {}
        for start in list(graph):
            if color.get(start):
                continue
            color[start], stack = 1, [(start, iter(graph.get(start, [])))]
            while stack:
                node, edges = stack[-1]
                nxt = next(edges, None)
                if nxt is None:
                    color[node] = 2
                    stack.pop()
                elif color.get(nxt[0]) == 1:
                    report.error(nxt[1], f"顺序流回到「{nxt[0]}」形成回环：请改用循环或多实例")
                elif not color.get(nxt[0]):
                    color[nxt[0]] = 1
                    stack.append((nxt[0], iter(graph.get(nxt[0], []))))


def _literal(expression: str):
    try:
        return ast.literal_eval(expression.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _check_source(report: Report, element_id: str, text: str | None, mode: str, what: str) -> bool:
    if text is None or not text.strip():
        return False
    problems = check_source(text.strip() if mode == "eval" else text, mode)
    for problem in problems:
        report.error(element_id, f"{what}未通过沙箱检查：{problem}")
    return not problems


def _owner_id(element) -> str | None:
    while element is not None and element.get("id") is None:
        element = element.getparent()
    return element.get("id") if element is not None else None


def _check_expressions(process, report: Report) -> None:
    for script in process.iter(f"{{{BPMN}}}script"):
        _check_source(report, _owner_id(script), script.text, "exec", "脚本")
    for tag, what in (("preScript", "前置脚本"), ("postScript", "后置脚本")):
        for script in process.iter(f"{{{SPIFF}}}{tag}"):
            _check_source(report, _owner_id(script), script.text, "exec", what)
    for condition in process.iter(f"{{{BPMN}}}conditionExpression", f"{{{BPMN}}}completionCondition"):
        _check_source(report, _owner_id(condition), condition.text, "eval", "条件表达式")
    for cardinality in process.iter(f"{{{BPMN}}}loopCardinality", f"{{{BPMN}}}loopMaximum"):
        if _check_source(report, _owner_id(cardinality), cardinality.text, "eval", "循环次数表达式"):
            value = _literal(cardinality.text)
            if isinstance(value, int) and not 0 < value <= MAX_INSTANCES:
                report.error(_owner_id(cardinality), f"循环次数 {value} 超出范围（1–{MAX_INSTANCES}）")
    for condition in process.iter(f"{{{BPMN}}}loopCondition"):
        _check_source(report, _owner_id(condition), condition.text, "eval", "循环条件")


def _check_service_tasks(process, report: Report) -> None:
    for operator in process.iter(f"{{{SPIFF}}}serviceTaskOperator"):
        owner = _owner_id(operator.getparent())
        if registry.OPERATIONS and operator.get("id") not in registry.OPERATIONS:
            report.error(owner, f"服务任务操作「{operator.get('id')}」未注册（可用：{'、'.join(sorted(registry.OPERATIONS))}）")
        for parameter in operator.iter(f"{{{SPIFF}}}parameter"):
            _check_source(report, owner, parameter.get("value"), "eval", f"参数 {parameter.get('id')} ")


def _check_timers(root, report: Report) -> None:
    for definition in root.iter(f"{{{BPMN}}}timerEventDefinition"):
        owner = _owner_id(definition.getparent())
        expressions = [(child.tag.split("}")[1], child.text or "") for child in definition
                       if child.tag in (f"{{{BPMN}}}timeDate", f"{{{BPMN}}}timeDuration", f"{{{BPMN}}}timeCycle")]
        if not expressions:
            report.error(owner, "定时器没有设置时间（日期、时长或周期）")
        for kind, expression in expressions:
            _check_timer(report, owner, kind, expression)


def _check_timer(report: Report, owner: str | None, kind: str, expression: str) -> None:
    if not _check_source(report, owner, expression, "eval", "定时器表达式"):
        if not expression.strip():
            report.error(owner, "定时器表达式为空")
        return
    value = _literal(expression)
    workdays = _WORKDAYS.match(expression.strip())
    if workdays:  # services/script_functions.workdays: a working-day deadline, i.e. a date
        if kind != "timeDate" or int(workdays.group(1)) > 365:
            report.error(owner, "workdays(n) 得到的是截止日期：请用于“日期”类定时器，n 为 0–365")
        return
    if value is None and _ISO_LIKE.match(expression.strip()):
        report.error(owner, f"定时器表达式是 Python 表达式，ISO 8601 值要加引号：\"{expression.strip()}\"")
        return
    if value is None:
        report.warn(owner, f"定时器表达式「{expression.strip()}」在运行时求值，无法预先检查")
        return
    if not isinstance(value, str):
        report.error(owner, f"定时器表达式应为带引号的 ISO 8601 字符串，例如 \"P5D\"，而不是 {expression.strip()}")
        return
    if kind == "timeDate" and value.strip().upper().startswith("P"):
        report.error(owner, f"定时器「{value}」应为日期时间而不是时长（{_KINDS[kind]}）")
        return
    problem = check_timer(kind, value, script_limits.timer_rules(), datetime.now(timezone.utc))
    if problem is not None:  # the same rules run again when the timer starts waiting (engine.timer_events)
        report.error(owner, script_limits.timer_message(problem, script_limits.timer_rules()) + f"（{_KINDS[kind]}）")


def _message_names(root) -> dict[str, str]:
    return {m.get("id"): m.get("name") or m.get("id") for m in root.iter(f"{{{BPMN}}}message")}


def _events(root, tags: tuple[str, ...]) -> list[tuple[str, str]]:
    names, found = _message_names(root), []
    for tag in tags:
        for event in root.iter(f"{{{BPMN}}}{tag}"):
            for definition in event.findall("bpmn:messageEventDefinition", NS):
                found.append((event.get("id"), names.get(definition.get("messageRef"), definition.get("messageRef"))))
    for tag in (("sendTask",) if tags == THROWERS else ("receiveTask",)):
        for task in root.iter(f"{{{BPMN}}}{tag}"):
            found.append((task.get("id"), names.get(task.get("messageRef"), task.get("messageRef"))))
    return found


def _check_messages(root, others: list, report: Report) -> None:
    caught = {name for tree in [root, *others] for _, name in _events(tree, CATCHERS)}
    for element_id, name in _events(root, THROWERS):
        if not name:
            report.error(element_id, "发送消息的事件没有指定消息")
        elif name not in caught:
            report.error(element_id, f"消息「{name}」没有任何流程接收")


def _check_called_elements(root, others: list, report: Report) -> None:
    known = {p.get("id") for tree in [root, *others] for p in tree.findall("bpmn:process", NS)}
    for call in root.iter(f"{{{BPMN}}}callActivity"):
        if call.get("calledElement") not in known:
            report.error(call.get("id"), f"调用的流程「{call.get('calledElement')}」尚未部署")


def _check_markup(root, report: Report) -> None:
    """Browser markup refuses the deploy; other unknown namespaces are stripped from it (services/designer/sanitise)."""
    found = sanitise.inspect(root)
    for element_id, message in found.refused:
        report.error(element_id, message)
    for element_id, message in found.stripped:
        report.warn(element_id, message)


def _check_extensions(root, report: Report) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        namespace = element.tag[1:].split("}")[0] if element.tag.startswith("{") else ""
        if namespace in sanitise.MODELER_NS and element.getparent() is not None \
                and element.getparent().tag == f"{{{BPMN}}}extensionElements":
            report.warn(_owner_id(element), f"未知扩展元素 {element.tag}：会原样保留，但本引擎不读取")
        for attribute in element.attrib:
            if attribute.startswith("{") and attribute[1:].split("}")[0] in sanitise.MODELER_NS - KNOWN_NS:
                report.warn(_owner_id(element), f"未知扩展属性 {attribute}：会原样保留，但本引擎不读取")
