"""services/handlers.py is the one table of who handles what; it covers every form key and operation in workflows/."""
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


def test_every_timer_kind_scheduled_by_the_services_has_a_handler(app):
    sources = Path(__file__).resolve().parents[2] / "services"
    scheduled = set()
    for path in sources.rglob("*.py"):
        scheduled |= set(re.findall(r'timers\.schedule\(\s*"([^"]+)"', path.read_text("utf-8")))
    assert "draw_execute" in scheduled
    installed = {kind for kind in timers.HANDLERS if not kind.startswith("test.")}  # tests add their own kinds
    assert scheduled <= installed == set(handlers.TIMER_KINDS)
