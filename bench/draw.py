"""Draw benchmarks: the candidate query over 1,000,000 enterprises (SQLite), the stratified draw after it,
and officer matching for 5,000 enterprises over 500 officers in 10 departments.

`python -m bench.draw` prints just these rows.
"""
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from app import create_app
from config import TestConfig
from domain import draw
from domain.uscc import check_character
from extensions import db
from models import Base, Enterprise, Industry, Region
from services.draw import inputs as draw_inputs
from services.draw import rules as draw_rules

TOTAL = 1_000_000
RATIOS = {"A": "3", "B": "5", "C": "20", "D": "60"}
SEED = bytes(range(32))


def _median(action, repeats: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds: on a shared machine the CPU time is the algorithm's own cost."""
    wall, cpu, value = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = action()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), value


def _directory(app) -> tuple[int, int]:
    """1,000,000 valid USCCs, one industry and region, classes dealt at random, 1% deregistered."""
    rng = random.Random(7)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        region, industry = Region(code="421126", name="蕲春县"), Industry(code="6110", name="旅游饭店")
        db.session.add_all([region, industry])
        db.session.flush()
        rows = []
        for serial in range(TOTAL):
            code = f"91421126{serial:09d}"
            rows.append({"uscc": code + check_character(code), "name": f"企业{serial}", "industry_id": industry.id,
                         "region_id": region.id, "status": "注销" if serial % 100 == 0 else "存续",
                         "credit_class": rng.choice("ABCD"), "legacy_code": False})
            if len(rows) == 50_000:
                db.session.execute(insert(Enterprise), rows)
                rows = []
        db.session.commit()
        return industry.id, region.id


def measure(workdir: Path) -> dict[str, float]:
    app = create_app(type("DrawBench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'draw.db'}"}))
    industry_id, region_id = _directory(app)
    with app.app_context():
        scope = draw_inputs.Scope([industry_id], [region_id], [], draw_rules.effective({}))
        query_s, query_cpu, (candidates, _excluded) = _median(lambda: draw_inputs.candidates_for(scope), 3)
        db.session.remove()
        db.engine.dispose()

    def stratified() -> dict:
        digests = draw.snapshot_digests(candidates)  # the commitment's part that grows with the directory
        drawn = draw.draw_enterprises(candidates, RATIOS, SEED)
        return {"digests": digests, "drawn": drawn}

    draw_s, draw_cpu, outcome = _median(stratified, 3)
    enterprises = [u for c in sorted(outcome["drawn"]) for u in outcome["drawn"][c]][:5000]
    staff = {d: [d * 1000 + k for k in range(50)] for d in range(1, 11)}
    excluded = {u: [1000 + i % 50] for i, u in enumerate(enterprises) if i % 10 == 0}  # some conflicts
    match_s, match_cpu, _ = _median(lambda: draw.match_officers(enterprises, staff, 1, SEED, excluded=excluded,
                                                                per_department=2), 3)
    return {"query": query_s, "draw": draw_s, "match": match_s,
            "query_cpu": query_cpu, "draw_cpu": draw_cpu, "match_cpu": match_cpu,
            "candidates": sum(len(v) for v in candidates.values()),
            "drawn": sum(len(v) for v in outcome["drawn"].values())}


def rows() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-draw-") as tmp:
        m = measure(Path(tmp))
    def both(key: str) -> str:
        return f"{m[key]:.2f} (CPU {m[key + '_cpu']:.2f})"
    return [
        (f"draw: candidate query + exclusions + sort, {TOTAL:,} enterprises in scope, SQLite (median s)",
         both("query"), ""),
        (f"draw: stratified A3/B5/C20/D60 over {m['candidates']:,} candidates → {m['drawn']:,}, "
         "snapshot digests included (median s)", both("draw"), "< 1"),
        ("draw: officer matching, 5,000 enterprises / 500 officers in 10 departments, 2 per department (median s)",
         both("match"), "< 1"),
    ]


if __name__ == "__main__":
    for metric, value, target in rows():
        print(f"| {metric} | {value} | {target} |")
