"""What a deployed BPMN or DMN file may contain besides the model: nothing a browser would run.

A designer's file is stored and served back to every designer's browser (the modeler fetches it) and to anyone
reading the campaign diagram. BPMN allows arbitrary foreign markup in extension elements, so a file can carry
XHTML `<script>`, SVG, `onerror=` attributes or an `<?xml-stylesheet?>` that a browser would act on if the file
were ever rendered as a document. Two rules, applied before a model may deploy:

- **Refused** (a validation error naming the element): markup that only makes sense to a browser — elements of
  the XHTML, SVG, MathML, XSLT or XInclude namespaces; `script`, `iframe`, `object`, `embed`, `foreignObject`,
  `style`, `link`, `meta`, `base`, `form` elements outside BPMN/DMN/Spiff; attributes named `on…`; attribute
  values that are `javascript:`, `vbscript:` or `data:text/html` URLs; processing instructions.
- **Stripped** (a warning, then removed from what is deployed): elements and attributes of any other namespace
  that is neither the model's own (BPMN, DMN, DI, Spiff) nor a known modeler's (Camunda, Zeebe, Signavio,
  bpmn.io colours). Such markup is meaningless to this engine; keeping it would keep what no one reviewed.

Downloads of stored models are served as attachments (web/designer/routes.py), so even a file deployed before
this check is never rendered same-origin.
"""
import re
from dataclasses import dataclass, field

from lxml import etree

from engine.parser import ModelError, parse_xml

MODEL_NS = {
    "http://www.omg.org/spec/BPMN/20100524/MODEL", "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC", "http://www.omg.org/spec/DD/20100524/DI",
    "http://www.w3.org/2001/XMLSchema-instance", "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/", "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "http://www.omg.org/spec/DMN/20180521/DMNDI/", "http://www.omg.org/spec/DMN/20180521/DI/",
    "http://www.omg.org/spec/DMN/20180521/DC/", "http://www.omg.org/spec/DMN/20180521/FEEL/",
    "https://www.omg.org/spec/DMN/20191111/FEEL/",
}
# Modelers whose extensions are kept (and reported by validation as "not read by this engine").
MODELER_NS = {
    "http://camunda.org/schema/1.0/bpmn", "http://camunda.org/schema/1.0/dmn", "http://camunda.org/schema/modeler/1.0",
    "http://camunda.org/schema/zeebe/1.0", "http://www.signavio.com", "http://bpmn.io/schema/bpmn/biocolor/1.0",
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0", "http://bpmn.io/schema/bpmn",
}
KEPT_NS = MODEL_NS | MODELER_NS
BROWSER_NS = {"http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML",
              "http://www.w3.org/1999/XSL/Transform", "http://www.w3.org/2001/XInclude",
              "http://www.w3.org/1999/xlink"}
BROWSER_TAGS = {"script", "iframe", "object", "embed", "foreignobject", "style", "link", "meta", "base", "form",
                "frame", "frameset", "applet"}
_ACTIVE_URL = re.compile(r"^\s*(javascript|vbscript|data\s*:\s*text/html)", re.IGNORECASE)
_HANDLER = re.compile(r"^on[a-z]", re.IGNORECASE)


@dataclass
class Findings:
    refused: list[tuple[str | None, str]] = field(default_factory=list)   # (element id, message)
    stripped: list[tuple[str | None, str]] = field(default_factory=list)


def _namespace(tag: str) -> str:
    return tag[1:].split("}")[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.split("}")[-1]


def _owner(element) -> str | None:
    while element is not None:
        if isinstance(element.tag, str) and element.get("id") and _namespace(element.tag) in MODEL_NS:
            return element.get("id")
        element = element.getparent()
    return None


def _kept(root) -> set[str]:
    return KEPT_NS | {_namespace(root.tag)}  # the document's own language is never foreign


def inspect(root) -> Findings:
    """What `root` holds that must be refused, and what would be stripped."""
    found, kept = Findings(), _kept(root)
    for node in root.iter():
        if isinstance(node, etree._ProcessingInstruction):
            found.refused.append((_owner(node.getparent()), f"不允许的处理指令 <?{node.target}?>"))
            continue
        if not isinstance(node.tag, str):
            continue  # comments
        namespace, local = _namespace(node.tag), _local(node.tag)
        if namespace in BROWSER_NS or (namespace not in MODEL_NS and local.lower() in BROWSER_TAGS):
            found.refused.append((_owner(node), f"不允许的网页标记 <{local}>（{namespace or '无命名空间'}）"))
        elif namespace not in kept:
            found.stripped.append((_owner(node), f"未知命名空间 {namespace or '（无）'} 的元素 <{local}> 将在部署时删除"))
        for name, value in node.attrib.items():
            attr_ns, attr_local = _namespace(name), _local(name)
            if _HANDLER.match(attr_local) or attr_ns in BROWSER_NS:
                found.refused.append((_owner(node), f"不允许的网页属性 {attr_local}（元素 <{local}>）"))
            elif _ACTIVE_URL.match(value or ""):
                found.refused.append((_owner(node), f"属性 {attr_local} 的值是可执行的链接（元素 <{local}>）"))
            elif attr_ns and attr_ns not in kept:
                found.stripped.append((_owner(node), f"未知命名空间 {attr_ns} 的属性 {attr_local} 将在部署时删除"))
    for node in [*root.itersiblings(preceding=True), *root.itersiblings()]:  # before or after the root element
        if isinstance(node, etree._ProcessingInstruction):
            found.refused.append((None, f"不允许的处理指令 <?{node.target}?>"))
    for prefix, uri in (root.nsmap or {}).items():
        if uri in BROWSER_NS:
            found.refused.append((None, f"不允许的网页命名空间声明 {prefix or '(默认)'}={uri}"))
    return found


def clean(xml: str) -> str:
    """The XML to deploy: refused markup raises ModelError; unknown-namespace markup is removed. Unchanged
    (byte for byte) when there is nothing to remove, so a model's content hash stays what it was."""
    root = parse_xml(xml)
    found = inspect(root)
    if found.refused:
        element_id, message = found.refused[0]
        raise ModelError(f"流程文件含有不允许的标记，未部署：{message}", element_id=element_id)
    if not found.stripped:
        return xml
    kept = _kept(root)
    for node in list(root.iter()):
        if not isinstance(node.tag, str):
            continue
        if _namespace(node.tag) not in kept:
            if node.getparent() is not None:
                node.getparent().remove(node)
            continue
        for name in [n for n in node.attrib if _namespace(n) and _namespace(n) not in kept]:
            del node.attrib[name]
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="unicode")
