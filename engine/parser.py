"""Parse BPMN/DMN sources into SpiffWorkflow specs, with clear errors for bad models."""
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.timer_events import ClockedBpmnParser


class ModelError(Exception):
    """A BPMN or DMN source that cannot be deployed, with the offending element where known."""

    def __init__(self, message: str, element_id: str | None = None):
        super().__init__(message)
        self.element_id = element_id


@dataclass(frozen=True)
class ParsedProcess:
    process_id: str
    spec: object
    subprocess_specs: dict


def executable_process_ids(bpmn_xml: str) -> list[str]:
    root = parse_xml(bpmn_xml)
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    return [p.get("id") for p in root.findall("bpmn:process", ns) if p.get("isExecutable") == "true"]


def parse_process(bpmn_xml: str, process_id: str | None = None, dmn_sources: tuple[str, ...] = ()) -> ParsedProcess:
    """Build the spec for one executable process; XSD validation is on, because designers upload files."""
    ids = executable_process_ids(bpmn_xml)
    if not ids:
        raise ModelError("BPMN 文件中没有可执行流程 (no process with isExecutable=\"true\")")
    process_id = process_id or ids[0]
    parser = ClockedBpmnParser(validator=VALIDATOR)  # timer events on the app clock
    try:
        # SpiffWorkflow parses with lxml's default parser, which would expand entities.
        parser.add_bpmn_str(bpmn_xml.encode("utf-8"))
        for dmn in dmn_sources:
            parser.add_dmn_str(dmn.encode("utf-8"))
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise ModelError(f"BPMN 校验失败: {exc}", getattr(exc, "id", None)) from exc
    except etree.LxmlError as exc:
        raise ModelError(f"BPMN 校验失败: {exc}") from exc
    return ParsedProcess(process_id, spec, subprocess_specs)


def parse_xml(xml: str):
    """Parse an uploaded model safely: no DTD at all (so no entities, no billion laughs), no network."""
    data = xml.encode("utf-8")
    try:
        defused_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ModelError(f"XML 含有不允许的 DTD 或实体声明: {type(exc).__name__}") from exc
    except Exception as exc:  # noqa: BLE001 - expat's ParseError; lxml below gives the better message
        if not isinstance(exc, SyntaxError):
            raise ModelError(f"XML 格式错误: {exc}") from exc
    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise ModelError(f"XML 格式错误: {exc}") from exc


@dataclass(frozen=True)
class ParsedDecision:
    decision_id: str
    table: object  # SpiffWorkflow.dmn.specs.model.DecisionTable


DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20180521/MODEL/")


def is_dmn(source: str) -> bool:
    """A DMN file's root is a `definitions` in a DMN namespace (a BPMN file's is in the BPMN one)."""
    try:
        return etree.QName(parse_xml(source)).namespace in DMN_NAMESPACES
    except ModelError:
        return False  # malformed: the BPMN parser reports it


def parse_decision(dmn_xml: str) -> ParsedDecision:
    """Parse a DMN decision table (validated against the DMN schema, as BPMN files are)."""
    root = parse_xml(dmn_xml)
    parser = ClockedBpmnParser(validator=VALIDATOR)
    try:
        parser.add_dmn_xml(root)
        [decision_id] = list(parser.dmn_parsers)
        engine = parser.get_engine(decision_id, root)
    except ValidationException as exc:
        raise ModelError(f"DMN 校验失败: {exc}", getattr(exc, "id", None)) from exc
    except (etree.LxmlError, ValueError, KeyError) as exc:
        raise ModelError(f"DMN 校验失败: {exc}") from exc
    if not engine.decision_table.rules:
        raise ModelError("DMN 决策表没有规则")
    return ParsedDecision(decision_id, engine.decision_table)
