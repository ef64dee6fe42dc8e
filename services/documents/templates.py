"""Document templates per region, edited by an admin, versioned, rendered in Jinja's sandbox.

Each save adds a version (history is never rewritten) and an issued document records the version it used,
so it always renders as it was issued. A region without its own version uses its nearest ancestor's, else the
built-in body (services.documents.builtin, version 0). A template is refused — with a Chinese error, nothing
stored — when it does not parse, names a private attribute (`__class__` and the like: the sandbox's escape
routes, refused before anything runs), or fails on the kind's sample data (an unknown name, the sandbox's
own refusal, a loop or text too large).
"""
import operator
from dataclasses import dataclass

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import DocumentTemplate, Region, User
from services import audit
from services.documents import builtin, numbering
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.org import scope
from services.workflow import clock

MAX_BODY = 20_000      # characters of template source
MAX_OUTPUT = 200_000   # characters a body may render to
MAX_PRODUCT = 100_000  # the longest string or list `*` and `**` may build


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, plus a cap on `*` and `**` so `'x' * 10**9` cannot eat the memory."""
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "**":
            if not isinstance(right, (int, float)) or abs(right) > 64:
                raise TemplateError("exponent too large")
            return operator.pow(left, right)
        if isinstance(left, (str, list)) and isinstance(right, int) and len(left) * right > MAX_PRODUCT or \
                isinstance(right, (str, list)) and isinstance(left, int) and len(right) * left > MAX_PRODUCT:
            raise TemplateError("product too large")
        return operator.mul(left, right)


# No trim_blocks: a line ending in `{% endif %}` keeps its line break; the empty lines a block tag leaves
# alone on its line are dropped by body_lines.
_ENV = _Sandbox(undefined=StrictUndefined, lstrip_blocks=True, autoescape=False)


def body_lines(source: str, data: dict) -> list[str]:
    """The rendered body, one paragraph per line (empty lines dropped). Raises TemplateError or SecurityError."""
    text = _ENV.from_string(source).render(data)
    if len(text) > MAX_OUTPUT:
        raise TemplateError("output too large")
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def current(region_id: int, kind: str) -> DocumentTemplate | None:
    """The newest version for the region or, failing that, its nearest ancestor's; None = built-in."""
    for region in scope.ancestors(region_id):
        found = db.session.scalars(select(DocumentTemplate).where(
            DocumentTemplate.region_id == region, DocumentTemplate.kind == kind)
            .order_by(DocumentTemplate.version.desc())).first()
        if found is not None:
            return found
    return None


def source_of(template_id: int | None, kind: str) -> str:
    return builtin.BODIES[kind] if template_id is None else db.session.get(DocumentTemplate, template_id).body


def check(kind: str, source: str) -> None:
    """Refuse a template that would not render safely; the message says why, in Chinese."""
    if not source.strip():
        raise ValidationFailed({"body": ["模板内容不能为空"]})
    if len(source) > MAX_BODY:
        raise ValidationFailed({"body": [f"模板过长（不超过 {MAX_BODY} 字）"]})
    try:
        tree = _ENV.parse(source)
    except TemplateError as exc:
        raise ValidationFailed({"body": [f"模板语法错误（第 {getattr(exc, 'lineno', '?')} 行）：{exc.message}"]},
                               "模板未保存") from exc
    private = _private_names(tree)
    if private:
        raise ValidationFailed({"body": [f"模板不允许访问内部属性：{'、'.join(sorted(private))}"]}, "模板未保存")
    try:
        lines = body_lines(source, builtin.SAMPLES[kind])
    except Exception as exc:  # the sandbox's refusal, an unknown name, a type error: all mean "cannot render"
        raise ValidationFailed({"body": [f"模板无法用示例数据生成文书：{_reason(exc)}"]}, "模板未保存") from exc
    if not lines:
        raise ValidationFailed({"body": ["模板生成的正文为空"]}, "模板未保存")


def _private_names(tree: nodes.Template) -> set[str]:
    names = {n.attr for n in tree.find_all(nodes.Getattr) if n.attr.startswith("_")}
    names |= {n.arg.value for n in tree.find_all(nodes.Getitem)
              if isinstance(n.arg, nodes.Const) and isinstance(n.arg.value, str) and n.arg.value.startswith("_")}
    names |= {n.name for n in tree.find_all(nodes.Name) if n.name.startswith("_")}
    return names


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "is undefined" in text:
        return f"使用了不存在的数据项（{text.split(' is undefined')[0]}）"
    if "unsafe" in text or type(exc).__name__ == "SecurityError":
        return "模板访问了不允许的属性"
    if "too large" in text:
        return "生成的内容过大"
    return "模板运行出错"


def save(actor: User, region_id: int, kind: str, source: str, note: str | None = None) -> DocumentTemplate:
    _require_admin(actor, region_id)
    if kind not in numbering.KINDS:
        raise ValidationFailed({"kind": ["没有这种文书"]})
    source = (source or "").replace("\r\n", "\n")
    check(kind, source)
    version = (db.session.scalar(select(func.max(DocumentTemplate.version)).where(
        DocumentTemplate.region_id == region_id, DocumentTemplate.kind == kind)) or 0) + 1
    template = DocumentTemplate(region_id=region_id, kind=kind, version=version, body=source,
                                note=(note or "").strip()[:200] or None, created_by_id=actor.id, created_at=clock.now())
    db.session.add(template)
    try:
        db.session.flush()
    except IntegrityError as exc:  # another admin saved this version a moment ago: theirs stands, nothing of ours
        db.session.rollback()
        raise Conflict("该模板刚被他人保存了新版本，请刷新后再修改") from exc
    audit.record(actor, "document_template.save", "document_template", template.id, region_id=region_id, kind=kind,
                 version=version)
    db.session.commit()
    return template


def history(actor: User, region_id: int, kind: str) -> list[DocumentTemplate]:
    _require_admin(actor, region_id)
    return list(db.session.scalars(select(DocumentTemplate).where(
        DocumentTemplate.region_id == region_id, DocumentTemplate.kind == kind)
        .order_by(DocumentTemplate.version.desc())))


@dataclass(frozen=True)
class Editor:
    """What the editor shows: the text in force (the region's, an ancestor's or the built-in one), whose it
    is, and this region's versions, newest first."""
    source: str
    in_force: DocumentTemplate | None
    versions: list[DocumentTemplate]


def editor(actor: User, region_id: int, kind: str) -> Editor:
    versions = history(actor, region_id, kind)
    in_force = current(region_id, kind)
    return Editor(in_force.body if in_force else builtin.BODIES[kind], in_force, versions)


def editable_regions(actor: User) -> list[Region]:
    if not actor.has_role("admin"):
        raise Forbidden("只有管理员可以编辑文书模板")
    return list(db.session.scalars(select(Region).where(scope.clause(actor, Region.id)).order_by(Region.code)))


def _require_admin(actor: User, region_id: int) -> None:
    if not actor.has_role("admin"):
        raise Forbidden("只有管理员可以编辑文书模板")
    if db.session.get(Region, region_id) is None:
        raise NotFound("区域不存在")
    scope.require(actor, region_id, "该区域不在您的管辖范围内")
