"""In-memory benchmarks: bare SpiffWorkflow on enterprise_case.bpmn (the draw has bench/draw.py)."""
import statistics
import time
from pathlib import Path

from engine import runner
from engine.parser import parse_process
from engine.sandbox import SandboxedScriptEngine
from engine.serializer import dump_state, load_state

MODEL = Path(__file__).resolve().parent.parent / "workflows" / "enterprise_case.bpmn"


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median_of(action, repeats: int) -> float:
    return statistics.median(timed(action) for _ in range(repeats))


def engine_completion_ms(repeats: int = 200) -> float:
    """Load a case waiting at joint_inspection, complete it, run engine steps, dump; median ms."""
    return engine_signatures_ms(repeats)[0]


def engine_signatures_ms(repeats: int = 200) -> tuple[float, float]:
    """The bare engine's cycle (`engine_cycles`) at each signature in a tight loop; median ms of each."""
    first, countersign = engine_cycles()
    return median_of(first, repeats) * 1000, median_of(countersign, repeats) * 1000


def engine_cycles():
    """The bare engine's load → complete → dump of a case at its first signature (joint_inspection) and at
    its countersign (joint_inspection_countersign, which ends the inspection's part), each a callable run once
    (warm-up). bench/db.py also times them interleaved with the service completions of the same signature."""
    parsed = parse_process(MODEL.read_text(encoding="utf-8"))
    data = {"inspection_id": 1, "campaign_id": 1}  # what the draw service starts a case with
    fresh = runner.new_workflow(parsed, SandboxedScriptEngine(service_handlers={}), data)
    runner.advance(fresh)  # now waiting at joint_inspection
    first = dump_state(fresh)
    (task,) = runner.ready_user_tasks(fresh)
    runner.complete_task(fresh, task.task_id, {"result_code": "01", "signoffs": 1})
    countersign = dump_state(fresh)  # now waiting at joint_inspection_countersign

    def cycle(state: str) -> None:
        workflow = load_state(state, parsed)
        workflow.script_engine = SandboxedScriptEngine(service_handlers={})
        (task,) = runner.ready_user_tasks(workflow)
        runner.complete_task(workflow, task.task_id, {"result_code": "01", "signoffs": 2})
        dump_state(workflow)

    cycles = (lambda: cycle(first), lambda: cycle(countersign))
    for each in cycles:
        each()  # warm-up
    return cycles
