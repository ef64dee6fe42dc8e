"""Run every benchmark, print the table and write docs/performance.md (about 10 minutes on 2 cores)."""
import logging
import os
import platform
import tempfile
import time
from datetime import datetime
from pathlib import Path

logging.disable(logging.WARNING)  # SQLAlchemy, and Alembic (its env.py reconfigures logging)

from bench import board, dashboard, db, directory, http_sizes, locked_row, memory, province, statements, throughput, transfer  # noqa: E402
from bench import completion, portal_login  # noqa: E402
from bench import replica as replica_bench  # noqa: E402
from bench import draw as draw_bench  # noqa: E402
from bench import report as report_bench  # noqa: E402
from bench import sandbox as sandbox_bench  # noqa: E402

SIZES = (10, 100, 1000, 10000)
DEMO_ENTERPRISES = 9000  # the busiest scope then has ~1,180 candidates; bench/db.py tops it up to 10,000
BUDGET_SECONDS = 600  # simulate(1000) runs only if it still fits; opening N=10,000 takes 2-3 minutes
DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
METHOD = """\
- Task cost: per N, a copy of one template (migrate, deploy, `load_demo(enterprises=9000)`, then the busiest
  industry+region scope topped up by a bulk insert to exactly 10,000 active enterprises) gets a campaign planned,
  approved, initiated and reported in through the services, so the draw opens N enterprise cases (N=10,000: 100%
  of every class); then a snapshot, shared by the service and API measurements. 6 rounds, interleaving the sizes
  in rotating order, each restore the snapshot, sign one inspection twice untimed, then time `tasks.complete`
  (commit and fsync included) for both signatures of 8 more: the first (records the values) and the
  countersign (finalises the inspection and counts down the campaign's pending inspections under its lock);
  median of 48 per N and signature. A campaign's last inspection, which also advances the campaign instance, is
  never completed. Statements: `before_cursor_execute` events of one first signature and its countersign after
  a warm-up inspection (bench/statements.py; on PostgreSQL in a yiye_bench_* database with the demo county).
- Bare engine: `enterprise_case.bpmn` in memory; load a case waiting at joint_inspection (or at
  joint_inspection_countersign), complete it, engine steps, dump. Two figures each: "tight loop", the median of
  200 cycles in a row after the service measurements; "interleaved", one cycle timed right before or right after
  (alternately) each timed service completion of the same signature, in the same rounds (median of 48 per N), so
  engine and service see the same host state. The ratio rows divide the service's median by each. The service
  completion is CPU-bound and its CPU per completion moves with the shared host's load more than the tight
  loop's does (1.9-2.8 ms for one build in consecutive runs on 2026-12-04 against 0.25 ms, ratios 7.4x-13x):
  the interleaved ratio is the one that compares like with like. Simulate: `demo.simulate.simulate(N)` on a fresh copy of the template, 1000
  only if 12 x the time for 100 fits the budget. Draw (bench/draw.py): 1,000,000 valid synthetic USCCs inserted
  in random order in one scope of a scratch SQLite file (and, with BENCH_POSTGRES=1, a yiye_bench_* database,
  vacuumed and analysed after the import as autovacuum would), classes dealt at random, 1% deregistered, 1%
  inspected for the scope's matter in the last 12 months, 0.5% with an open case for it; the candidate query
  (one string of USCCs per status and class from the covering scope index, exclusions, sorting), then snapshot
  digests + stratified draw, then `match_officers` for the first 5,000 drawn over 10 departments x 50 officers
  (10% with a conflict); medians of 3, wall and CPU seconds (CPU: this process only, not the database server).
- Sandbox (bench/sandbox.py): the same interpreter run in process ("before" the worker pool) and in a worker
  process, interleaved in one run: a gateway-like evaluation (median of 2,000), the bare-engine completion of
  `rectification` (one gateway evaluation; median of 200), the N=10 joint_inspection completion via services
  (ABBA rounds of 8 on the restored snapshot), and the evaluations per completion over `simulate(10)`.
- API completion (bench/http_sizes.py): the same snapshots, each completion a POST /api/v1/tasks/<id>/complete
  through the Flask app in process (token, JSON, logs, headers); 4 rounds x 8: median of 32 per N.
- HTTP throughput (bench/throughput.py): a fresh PostgreSQL database of its own (yiye_bench_*, BENCH_POSTGRES=1),
  demo county of 3,000, two campaigns of 150 drawn enterprises; gunicorn in production mode with
  deploy/gunicorn.conf.py's defaults (a gthread process per core); 50 client threads in a process of their own,
  one keep-alive connection each, POST the 300 first signatures to /api/v1/tasks/<id>/complete from one queue,
  then (untimed lookup) the 300 countersigns those opened. completions/s = the 600 successful completions over
  the two phases' wall time; latency includes the wait for a thread and the CPU. CPU per completion: gunicorn's
  workers, PostgreSQL's backends serving them, and the client (they share the cores; /proc accounting).
- Read replica (bench/replica.py, BENCH_POSTGRES=1): a private primary and its streaming standby
  (tests/pgreplica.py, fsync on), the same preparation as the HTTP throughput; three gunicorns in production
  mode (completions; public pages with DATABASE_READ_URL = the standby; public pages from the primary); phases of
  50 completions by 8 clients alone, with 8 more clients fetching public pages (results, plan, matters) as fast
  as answered from the replica-reading server, and from the primary-reading one (ABCABC); medians per kind of
  phase, pages/s in brackets.
- Enterprise login (bench/portal_login.py): a threaded werkzeug server over a demo database of 400 enterprises,
  the outbox a webhook to a local gateway that takes 200 ms per message; 40 pairs of login requests, a registered
  USCC then an unknown well-formed one, each a fresh client, timed from sending the POST to reading its answer.
- Province (bench/province.py): databases yiye_bench_org_province and _county created on the PostgreSQL server
  and dropped after; migrated, rows generated in SQL: 1 province, 10 cities, 100 counties x 10 departments x 20
  officials (2% with an expired 执法证), 30,000 enterprises per county in 5 industries, 20 live campaigns per
  county (2,000) with 10 open tasks each. The enterprise name indexes are dropped before the load (no timed
  query uses them). Timed: the dashboard's statement (`dashboard.query` with the viewer's scope clause) and the
  whole `live_campaigns` call for a county, its city and the province's supervisors; a county's draw candidate
  query (`draw.inputs.candidates_for`) in the province and in a database holding only that county; medians of 9.
- Locked campaign row (bench/locked_row.py): the same kind of database; per worker model (4 sync workers, and
  the production default gthread cores x 8), 8 clients complete 40 joint inspections of one campaign without,
  then 40 with another campaign's row held `FOR UPDATE` while 4 more clients keep retrying that campaign's
  completions (each 409 after the 2 s lock timeout); p95 of the first campaign's completions, slowest /livez.
- Transfer (bench/transfer.py): a signed-in supervisor opens a demo campaign's page (with the diagram viewer)
  twice through a client that caches like a browser (fresh max-age/immutable assets not requested, no-cache
  ones revalidated by ETag) and accepts gzip/deflate/br; bytes = bodies as sent plus header lines."""


def phase(start: float, label: str) -> None:
    print(f"[{time.perf_counter() - start:6.0f} s] {label}", flush=True)


def measure(workdir: Path, start: float) -> list[tuple[str, str, str]]:
    template = db.build_template(workdir / "template.db", DEMO_ENTERPRISES)
    scope_template = db.build_scope_template(template, workdir / "scope.db", max(SIZES))
    phase(start, "templates built; opening one campaign per size")
    fixtures = db.fixtures(scope_template, workdir, SIZES)
    phase(start, "campaigns opened; timing both signatures via services")
    ms = db.signature_ms(fixtures, engine=memory.engine_cycles())
    counted = fixtures[0].statements()
    phase(start, "timing completions via the API")
    api_rows = http_sizes.rows(fixtures)
    phase(start, "engine, simulate and draw benchmarks")
    engine_ms = memory.engine_signatures_ms()
    phase(start, "sandbox: in process vs worker processes")
    sandbox_rows = sandbox_bench.rows(template, workdir, fixtures[0])
    sim100 = db.simulate_seconds(template, workdir, 100)
    fits = time.perf_counter() - start + 12 * sim100 < BUDGET_SECONDS
    sim1000 = f"{db.simulate_seconds(template, workdir, 1000):.1f}" if fits else "skipped"
    return completion.rows(ms, engine_ms, counted) + [
        *api_rows,
        *statements.postgres_rows(),
        ("simulate, 100 enterprises (s)", f"{sim100:.1f}", ""),
        ("simulate, 1000 enterprises (s)", sim1000, "")] + sandbox_rows + draw_bench.rows()


def table(rows: list[tuple[str, str, str]]) -> str:
    return "\n".join(["| metric | value | target |", "|---|---|---|"] + [f"| {m} | {v} | {t} |" for m, v, t in rows])


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    return "\n".join([f"- nproc: {len(os.sched_getaffinity(0))}", f"- CPU: {models[0] if models else 'unknown'}",
                      f"- Python: {platform.python_version()} ({platform.platform()})",
                      f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}"])


def main() -> None:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        measured = measure(Path(tmp), start)
        phase(start, "report, dashboard and directory benchmarks")
        measured += report_bench.rows() + dashboard.rows() + board.rows() + directory.rows()
        phase(start, "bytes transferred for the campaign page")
        measured += transfer.rows()
        phase(start, "enterprise login timing, registered vs unknown USCC")
        measured += portal_login.rows()
        phase(start, "HTTP throughput (gunicorn, PostgreSQL)")
        measured += throughput.rows()
        phase(start, "completions on the primary with public pages read on a replica (PostgreSQL)")
        measured += replica_bench.rows()
        phase(start, "province on PostgreSQL (bench/province.py)")
        measured += province.rows()
        phase(start, "locked campaign row (gunicorn, PostgreSQL)")
        rendered = table(measured + locked_row.rows())
    print(rendered)
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n\n".join(["# Performance", "Written by `make bench` (`python -m bench`); rerun it to refresh.",
                                "## Machine", machine(), "## Results", rendered, "## Method", METHOD]) + "\n",
                   encoding="utf-8")
    print(f"\n({time.perf_counter() - start:.0f} s; also written to {DOC})")


if __name__ == "__main__":
    main()
