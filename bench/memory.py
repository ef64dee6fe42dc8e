"""In-memory benchmarks: bare SpiffWorkflow on enterprise_case.bpmn, and the draw algorithm alone."""
import random
import statistics
import time
from pathlib import Path

from domain import draw
from domain.uscc import check_character
from engine import runner
from engine.parser import parse_process
from engine.sandbox import SandboxedScriptEngine
from engine.serializer import dump_state, load_state

MODEL = Path(__file__).resolve().parent.parent / "workflows" / "enterprise_case.bpmn"
RATIOS = {"A": 3.0, "B": 5.0, "C": 20.0, "D": 60.0}
SEED = b"bench-seed-0123456789abcdef"


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median_of(action, repeats: int) -> float:
    return statistics.median(timed(action) for _ in range(repeats))


def engine_completion_ms(repeats: int = 200) -> float:
    """Load a case waiting at joint_inspection, complete it, run engine steps, dump; median ms."""
    parsed = parse_process(MODEL.read_text(encoding="utf-8"))
    data = {"inspection_id": 1, "campaign_id": 1}  # what the draw service starts a case with
    fresh = runner.new_workflow(parsed, SandboxedScriptEngine(service_handlers={}), data)
    runner.advance(fresh)  # now waiting at joint_inspection
    state = dump_state(fresh)

    def cycle() -> None:
        workflow = load_state(state, parsed)
        workflow.script_engine = SandboxedScriptEngine(service_handlers={})
        (task,) = runner.ready_user_tasks(workflow)
        runner.complete_task(workflow, task.task_id, {"result_code": "01"})
        dump_state(workflow)

    cycle()  # warm-up
    return median_of(cycle, repeats) * 1000


def synthetic_candidates(total: int = 1_000_000) -> dict[str, list[str]]:
    """Valid 18-character USCCs, dealt at random into four equal credit classes."""
    codes = [f"91421126{serial:09d}" for serial in range(total)]
    codes = [code + check_character(code) for code in codes]
    random.Random(7).shuffle(codes)
    quarter = total // 4
    return {c: codes[i * quarter:(i + 1) * quarter] for i, c in enumerate("ABCD")}


def draw_seconds(repeats: int = 3) -> dict[str, float]:
    """draw_enterprises over a million USCCs; match_officers for 5,000 of them over 10 x 50 officers."""
    candidates = synthetic_candidates()
    drawn = draw.draw_enterprises(candidates, RATIOS, SEED)
    enterprises = [u for c in sorted(drawn) for u in drawn[c]][:5000]
    staff = {d: [d * 1000 + k for k in range(50)] for d in range(1, 11)}
    return {"draw": median_of(lambda: draw.draw_enterprises(candidates, RATIOS, SEED), repeats),
            "match": median_of(lambda: draw.match_officers(enterprises, staff, 1, SEED), repeats)}
