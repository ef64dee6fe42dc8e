"""Bare SpiffWorkflow in memory: load state, complete joint_inspection, engine steps, dump state."""
from pathlib import Path

from engine import runner
from engine.parser import parse_process
from engine.sandbox import SandboxedScriptEngine
from engine.serializer import dump_state, load_state

from bench import harness

MODEL = Path(__file__).resolve().parent.parent / "workflows" / "enterprise_case.bpmn"


def _waiting_case(parsed) -> str:
    """The state of a fresh case, waiting at joint_inspection, as the draw service leaves it."""
    workflow = runner.new_workflow(parsed, _engine(), {"inspection_id": 1, "campaign_id": 1})
    runner.advance(workflow)
    return dump_state(workflow)


def _engine() -> SandboxedScriptEngine:
    return SandboxedScriptEngine(service_handlers={})


def completion_ms(repeats: int = 200) -> float:
    parsed = parse_process(MODEL.read_text(encoding="utf-8"))
    state = _waiting_case(parsed)

    def cycle() -> None:
        workflow = load_state(state, parsed)
        workflow.script_engine = _engine()
        (task,) = runner.ready_user_tasks(workflow)
        runner.complete_task(workflow, task.task_id, {"result_code": "01"})
        dump_state(workflow)

    cycle()  # warm-up
    return harness.median_of(cycle, repeats) * 1000
