"""Draw benchmarks over 1,000,000 enterprises in one scope, as in life: USCCs inserted in random order, a
scope with a matter, so the exclusions run (1% inspected for it in the last 12 months, 0.5% with an open case
for it). Phases: the candidate query with its exclusions and sorting, the stratified draw (snapshot digests
included), officer matching for 5,000 drawn enterprises over 500 officers in 10 departments; and their sum,
on SQLite and (BENCH_POSTGRES=1) PostgreSQL in a yiye_bench_* database of its own (dropped after).

`python -m bench.draw [N]` prints just these rows (N enterprises, default 1,000,000).
"""
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from app import create_app
from config import TestConfig
from domain import draw
from domain.uscc import check_character
from extensions import db
from models import (Base, Campaign, Case, ChecklistItem, ChecklistRevision, Department, Enterprise, Industry,
                    Inspection, ItemResult, Matter, Region, User)
from services.draw import inputs as draw_inputs
from services.draw import rules as draw_rules

TOTAL = 1_000_000
RATIOS = {"A": "3", "B": "5", "C": "20", "D": "60"}
SEED = bytes(range(32))
INSPECTED, OPEN_CASES = 0.01, 0.005


def _median(action, repeats: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds: on a shared machine the CPU time is the algorithm's own cost."""
    wall, cpu, value = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = action()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), value


def _parents() -> tuple[int, int, int]:
    """Region, industry, a department with one matter and a checklist item, a finished campaign; their ids."""
    region, industry = Region(code="421126", name="蕲春县"), Industry(code="6110", name="旅游饭店")
    db.session.add_all([region, industry])
    db.session.flush()
    department = Department(code="scjg", name="市场监督管理局", region_id=region.id)
    user = User(username="bench", password_hash="-", display_name="基准")
    db.session.add_all([department, user])
    db.session.flush()
    matter = Matter(code="M1", department_id=department.id, name="旅游饭店检查", legal_basis="基准", method="实地检查")
    db.session.add(matter)
    db.session.flush()
    revision = ChecklistRevision(industry_id=industry.id, number=1, created_at=datetime(2026, 1, 1),
                                 items=[ChecklistItem(matter_id=matter.id, position=1, text="基准检查项")])
    db.session.add(revision)
    db.session.flush()
    campaign = Campaign(code="BENCH-DRAW", title="基准", kind="plan", industry_id=industry.id, region_id=region.id,
                        lead_department_id=department.id, checklist_revision_id=revision.id, ratios=RATIOS,
                        stage="closed", status="completed", created_by_id=user.id, created_at=datetime(2026, 1, 1))
    db.session.add(campaign)
    db.session.flush()
    return industry.id, region.id, (matter.id, department.id, campaign.id, revision.items[0].id)


def _directory(app, total: int) -> tuple[int, int, int]:
    """`total` valid USCCs inserted in random order, classes dealt at random, 1% deregistered; 1% inspected
    for the scope's matter within 12 months, 0.5% with an open case for it. Returns industry, region, matter."""
    rng = random.Random(7)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        industry_id, region_id, (matter_id, department_id, campaign_id, item_id) = _parents()
        serials = list(range(total))
        rng.shuffle(serials)  # a directory is imported in no particular order of code
        rows = []
        for serial in serials:
            code = f"91421126{serial:09d}"
            rows.append({"uscc": code + check_character(code), "name": f"企业{serial}", "industry_id": industry_id,
                         "region_id": region_id, "status": "注销" if serial % 100 == 0 else "存续",
                         "credit_class": rng.choice("ABCD"), "legacy_code": False})
            if len(rows) == 50_000:
                db.session.execute(insert(Enterprise), rows)
                rows = []
        if rows:
            db.session.execute(insert(Enterprise), rows)
        first_id = db.session.query(Enterprise.id).order_by(Enterprise.id).limit(1).scalar()
        ids = rng.sample(range(first_id, first_id + total), int(total * (INSPECTED + OPEN_CASES)))
        inspected, cased = ids[:int(total * INSPECTED)], ids[int(total * INSPECTED):]
        recently = date.today() - timedelta(days=100)
        db.session.execute(insert(Inspection), [
            {"campaign_id": campaign_id, "enterprise_id": e, "status": "submitted", "inspected_on": recently,
             "submitted_at": datetime.combine(recently, datetime.min.time()), "revision": 1} for e in inspected])
        inspection_ids = db.session.scalars(db.select(Inspection.id)).all()
        db.session.execute(insert(ItemResult), [{"inspection_id": i, "checklist_item_id": item_id, "result": "pass"}
                                                for i in inspection_ids])
        db.session.execute(insert(Case), [
            {"case_no": f"BENCH-{e}", "enterprise_id": e, "department_id": department_id, "matter_id": matter_id,
             "status": "open", "procedure": "general", "opened_at": datetime(2026, 1, 1)} for e in cased])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # what autovacuum does after a bulk import: statistics, and
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")  # the visibility map index-only scans need
        return industry_id, region_id, matter_id


def measure(url: str, total: int = TOTAL) -> dict[str, float]:
    app = create_app(type("DrawBench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    industry_id, region_id, matter_id = _directory(app, total)
    with app.app_context():
        scope = draw_inputs.Scope([industry_id], [region_id], [matter_id], draw_rules.effective({}))
        query_s, query_cpu, (candidates, excluded) = _median(lambda: draw_inputs.candidates_for(scope), 3)
        db.session.remove()
        db.engine.dispose()

    def stratified() -> dict:
        digests = draw.snapshot_digests(candidates)  # the commitment's part that grows with the directory
        drawn = draw.draw_enterprises(candidates, RATIOS, SEED)
        return {"digests": digests, "drawn": drawn}

    draw_s, draw_cpu, outcome = _median(stratified, 3)
    enterprises = [u for c in sorted(outcome["drawn"]) for u in outcome["drawn"][c]][:5000]
    staff = {d: [d * 1000 + k for k in range(50)] for d in range(1, 11)}
    conflicts = {u: [1000 + i % 50] for i, u in enumerate(enterprises) if i % 10 == 0}  # some conflicts
    match_s, match_cpu, _ = _median(lambda: draw.match_officers(enterprises, staff, 1, SEED, excluded=conflicts,
                                                                per_department=2), 3)
    return {"query": query_s, "draw": draw_s, "match": match_s,
            "query_cpu": query_cpu, "draw_cpu": draw_cpu, "match_cpu": match_cpu,
            "total": query_s + draw_s + match_s, "total_cpu": query_cpu + draw_cpu + match_cpu,
            "excluded": excluded, "candidates": sum(len(v) for v in candidates.values()),
            "drawn": sum(len(v) for v in outcome["drawn"].values())}


def _rows(m: dict, label: str, total: int) -> list[tuple[str, str, str]]:
    def both(key: str) -> str:
        return f"{m[key]:.2f} (CPU {m[key + '_cpu']:.2f})"
    ex = m["excluded"]
    return [
        (f"draw {label}: candidate query + exclusions + sort, {total:,} enterprises in random order, "
         f"{ex['inspected_recently']:,} inspected recently / {ex['open_case']:,} open cases excluded (median s)",
         both("query"), ""),
        (f"draw {label}: stratified A3/B5/C20/D60 over {m['candidates']:,} candidates → {m['drawn']:,}, "
         "snapshot digests included (median s)", both("draw"), ""),
        (f"draw {label}: officer matching, 5,000 enterprises / 500 officers in 10 departments (median s)",
         both("match"), ""),
        (f"draw {label}: all three phases (s)", both("total"), "< 1"),
    ]


def rows(total: int = TOTAL) -> list[tuple[str, str, str]]:
    from tests import pgdb
    with tempfile.TemporaryDirectory(prefix="bench-draw-") as tmp:
        out = _rows(measure(f"sqlite:///{Path(tmp) / 'draw.db'}", total), "SQLite", total)
    url = pgdb.bench_database()
    if url is None:
        return out + [("draw PostgreSQL", "skipped (set BENCH_POSTGRES=1; PostgreSQL must answer)", "< 1")]
    try:
        return out + _rows(measure(url, total), "PostgreSQL", total)
    finally:
        pgdb.drop(url)


if __name__ == "__main__":
    import logging
    logging.disable(logging.WARNING)
    for metric, value, target in rows(int(sys.argv[1]) if len(sys.argv) > 1 else TOTAL):
        print(f"| {metric} | {value} | {target} |")
