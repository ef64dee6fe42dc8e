"""services/handlers.py is the one table of who handles what; it covers every form key and operation in workflows/."""
import ast
import importlib
import re
from pathlib import Path

from services import handlers
from services.workflow import registry, timers

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def _bpmn_values(pattern: str) -> set[str]:
    return {value for path in WORKFLOWS.glob("*.bpmn") for value in re.findall(pattern, path.read_text("utf-8"))}


def test_every_form_key_in_workflows_has_a_context_and_a_handler(app):
    form_keys = _bpmn_values(r'name="formKey" value="([^"]+)"')
    assert form_keys and form_keys == set(handlers.FORMS)
    assert set(registry.FORM_HANDLERS) >= form_keys and set(registry.FORM_CONTEXTS) >= form_keys


def test_every_service_task_operation_is_installed(app):
    operations = _bpmn_values(r'serviceTaskOperator id="([^"]+)"')
    assert operations and operations <= set(registry.OPERATIONS) == set(handlers.OPERATIONS)


def _scheduled_kinds() -> set[str]:
    """The first argument of every `timers.schedule(...)` in services/, a literal or a module constant resolved
    by importing its module (most kinds are constants: OVERDUE_KIND, escalations.TASK_KIND)."""
    root = Path(__file__).resolve().parents[2]
    kinds = set()
    for path in (root / "services").rglob("*.py"):
        name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        module = importlib.import_module(name)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "schedule" \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "timers" and node.args:
                kinds.add(_value(module, node.args[0]))
    return kinds


def _value(module, node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return getattr(module, node.id)
    return getattr(_value(module, node.value), node.attr)  # escalations.TASK_KIND: the module, then its constant


def test_every_timer_kind_scheduled_by_the_services_has_a_handler(app):
    scheduled = _scheduled_kinds()
    assert {"draw_execute", "referral_ack_overdue", "follow_up.overdue", "sla.task"} <= scheduled
    installed = {kind for kind in timers.HANDLERS if not kind.startswith("test.")}  # tests add their own kinds
    assert scheduled <= installed == set(handlers.TIMER_KINDS)
