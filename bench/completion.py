"""The completion rows alone (issue 18): both signatures via services per N, the bare engine (in a tight loop,
and interleaved with the service completions of the same rounds), the two service / engine ratios and the
statements per completion, without the rest of `python -m bench` (about 4 minutes with N=10,000).

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

# (key in db.signature_ms, as the rows name it)
SIGNATURES = (("first", "first signature"), ("countersign", "countersign"))
DEMO_ENTERPRISES = 2000  # the scope is topped up to the largest N by bench/db.py


def rows(ms: dict[int, dict[str, float]], engine_ms: tuple[float, float],
         counted: tuple[int, int]) -> list[tuple[str, str, str]]:
    """Service ms per N and signature, the N ratio, the bare engine in a tight loop (`engine_ms`) and interleaved
    with the service completions (in `ms`, from db.signature_ms with engine cycles), service / engine by each of
    the two engine figures, SQLite statements."""
    sizes, big = sorted(ms), max(ms)
    ends = (sizes[0], big) if big != sizes[0] else (big,)
    return [(f"joint_inspection {label} via services, N={n} (median ms)", f"{ms[n][key]:.1f}", "")
            for key, label in SIGNATURES for n in sizes] + [
        *[(f"ratio N={big} / N={sizes[0]}, {label}", f"{ms[big][key] / ms[sizes[0]][key]:.2f}", "≤ 1.5")
          for key, label in SIGNATURES],
        *[(f"bare SpiffWorkflow load → complete → dump, {label}, tight loop (median ms)", f"{engine_ms[i]:.2f}", "")
          for i, (_, label) in enumerate(SIGNATURES)],
        *[(f"bare SpiffWorkflow load → complete → dump, {label}, interleaved with the N={n} completions (median ms)",
           f"{ms[n][f'engine {key}']:.2f}", "") for key, label in SIGNATURES for n in ends],
        *[(f"service / bare engine (tight loop), {label}, N={n}", f"{ms[n][key] / engine_ms[i]:.1f}x", "≤ 10x")
          for i, (key, label) in enumerate(SIGNATURES) for n in ends],
        *[(f"service / bare engine (interleaved), {label}, N={n}", f"{ms[n][key] / ms[n][f'engine {key}']:.1f}x",
           "≤ 10x") for key, label in SIGNATURES for n in ends],
        ("SQL statements per joint_inspection completion, SQLite (first / countersign)",
         f"{counted[0]} / {counted[1]}", "≤ 15")]


def main(sizes: tuple[int, ...]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-completion-") as tmp:
        workdir = Path(tmp)
        template = db.build_template(workdir / "template.db", DEMO_ENTERPRISES)
        scope = db.build_scope_template(template, workdir / "scope.db", max(sizes))
        fixtures = db.fixtures(scope, workdir, sizes)
        ms = db.signature_ms(fixtures, engine=memory.engine_cycles())
        counted = fixtures[0].statements()
    measured = rows(ms, memory.engine_signatures_ms(), counted) + statements.postgres_rows()
    print("\n".join(" | ".join(row) for row in measured))


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (10, 10000))
