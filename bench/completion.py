"""The completion rows alone (issue 18): both signatures via services per N, the bare engine, their ratio and
the statements per completion, without the rest of `python -m bench` (about 4 minutes with N=10,000).

    python -m bench.completion            # N=10 and N=10,000
    python -m bench.completion 10 1000    # other sizes (the ratio rows need 10 and the largest)
    BENCH_POSTGRES=1 python -m bench.completion   # also the PostgreSQL statement count
"""
import logging
import sys
import tempfile
from pathlib import Path

logging.disable(logging.WARNING)

from bench import db, memory, statements  # noqa: E402

SIGNATURES = ("first signature", "countersign")
DEMO_ENTERPRISES = 2000  # the scope is topped up to the largest N by bench/db.py


def rows(ms: dict[int, tuple[float, float]], engine_ms: tuple[float, float],
         counted: tuple[int, int]) -> list[tuple[str, str, str]]:
    """Service ms per N and signature, the N ratio, the bare engine, service / engine, SQLite statements."""
    sizes, big = sorted(ms), max(ms)
    return [(f"joint_inspection {label} via services, N={n} (median ms)", f"{ms[n][i]:.1f}", "")
            for i, label in enumerate(SIGNATURES) for n in sizes] + [
        *[(f"ratio N={big} / N={sizes[0]}, {label}", f"{ms[big][i] / ms[sizes[0]][i]:.2f}", "≤ 1.5")
          for i, label in enumerate(SIGNATURES)],
        *[(f"bare SpiffWorkflow load → complete → dump, {label} (median ms)", f"{engine_ms[i]:.2f}", "")
          for i, label in enumerate(SIGNATURES)],
        *[(f"service / bare engine, {label}, N={n}", f"{ms[n][i] / engine_ms[i]:.1f}x", "≤ 10x")
          for i, label in enumerate(SIGNATURES) for n in (sizes[0], big)],
        ("SQL statements per joint_inspection completion, SQLite (first / countersign)",
         f"{counted[0]} / {counted[1]}", "≤ 15")]


def main(sizes: tuple[int, ...]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-completion-") as tmp:
        workdir = Path(tmp)
        template = db.build_template(workdir / "template.db", DEMO_ENTERPRISES)
        scope = db.build_scope_template(template, workdir / "scope.db", max(sizes))
        fixtures = db.fixtures(scope, workdir, sizes)
        ms = db.signature_ms(fixtures)
        counted = fixtures[0].statements()
    measured = rows(ms, memory.engine_signatures_ms(), counted) + statements.postgres_rows()
    print("\n".join(" | ".join(row) for row in measured))


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (10, 10000))
