"""`make mutation`: mutation testing (mutmut) of the modules a broken guard would hurt most.

Each module is mutated in its own scratch copy of the project holding only that module's package and
its own tests, so a mutant counts as killed only when the module's own tests catch it (not some
end-to-end test that happens to pass through). Prints the score per module and every surviving
mutant; exits 1 when a module is below its threshold. Timeouts count as detected. Surviving mutants that are equivalent (no test
could tell them apart from the original) are listed, each with a reason, in mutation/allowlist.txt;
they count as killed, and an allow-listed mutant that no longer exists or no longer survives is
reported so the list does not rot.

Usage: python mutation/run.py [MODULE ...]   (default: every module below; e.g. domain/uscc.py)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "mutation" / "allowlist.txt"


@dataclass(frozen=True)
class Target:
    module: str                 # the file mutated, or a package folder ("engine/sandbox/": each of its modules)
    tests: tuple[str, ...]      # its own tests (nothing else runs against its mutants)
    threshold: float            # percent of mutants that must be killed (allow-listed count as killed)
    copy: tuple[str, ...] = ()  # further files the tests read
    skip: tuple[str, ...] = ()  # modules of a package target left unmutated (with the reason at the target)


TARGETS = (
    # The sandbox package's guards (checks, guard, interpreter, sizes, safe builtins, limits, the script
    # engine) against the in-process sandbox tests. Not the worker pool (pool, worker, wire): its tests
    # start real processes under wall deadlines, which a mutated (trampolined) worker overruns on start-up.
    Target("engine/sandbox/", ("tests/engine/test_sandbox.py", "tests/engine/test_sandbox_guards.py",
                               "tests/engine/test_sandbox_accounting.py", "tests/engine/test_sandbox_plain.py",
                               "tests/engine/conftest.py"), 90.0,
           skip=("engine/sandbox/pool.py", "engine/sandbox/worker.py", "engine/sandbox/wire.py")),
    Target("domain/draw.py", ("tests/domain/test_draw.py", "tests/domain/test_draw_vector.py",
                              "tests/domain/test_draw_golden.py", "tests/domain/test_draw_messages.py",
                              "tests/domain/test_draw_fast_paths.py",
                              "tests/domain/independent_draw.py"), 95.0,
           ("docs/draw-algorithm.md",)),
    Target("domain/audit_chain.py", ("tests/domain/test_audit_chain.py",), 100.0),
    Target("domain/audit_verify.py", ("tests/domain/test_audit_verify.py",), 100.0),
    Target("domain/uscc.py", ("tests/domain/test_uscc.py",), 95.0),
    Target("domain/workdays.py", ("tests/domain/test_workdays.py",), 95.0),
)


def load_allowlist() -> dict[str, str]:
    """`mutant-name  reason` per line; '#' starts a comment. A mutant without a reason is refused."""
    allowed = {}
    for number, line in enumerate(ALLOWLIST.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f"{ALLOWLIST}:{number}: {name} has no reason")
        allowed[name] = reason.strip()
    return allowed


def scratch_project(target: Target, where: Path) -> None:
    package = target.module.split("/")[0]
    shutil.copytree(ROOT / package, where / package, ignore=shutil.ignore_patterns("__pycache__"))
    (where / "tests").mkdir()
    (where / "tests" / "__init__.py").write_text("")
    for path in target.tests + target.copy:
        if not (ROOT / path).exists():
            continue
        (where / path).parent.mkdir(parents=True, exist_ok=True)
        (where / path).parent.joinpath("__init__.py").touch()
        shutil.copy(ROOT / path, where / path)
    tests = [t for t in target.tests if (ROOT / t).exists() and Path(t).name.startswith("test_")]
    (where / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        f'source_paths = ["{package}"]\n'
        f'only_mutate = ["{target.module}*"]\n'  # a file, or every module of a package folder
        f"do_not_mutate = {list(target.skip)!r}\n"
        f"pytest_add_cli_args_test_selection = {tests!r}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
        "use_git_change_detection = false\n"
        f"also_copy = {sorted({Path(p).parts[0] for p in target.copy})!r}\n"  # folders: mutmut makes no parents
        "\n[tool.pytest.ini_options]\n"
        'filterwarnings = ["ignore::DeprecationWarning"]\n'
    )


def mutate(target: Target, children: int) -> dict[str, str]:
    """Run mutmut on one target; returns {mutant name: status} for every mutant."""
    with tempfile.TemporaryDirectory(prefix="yiye_mutation_") as tmp:
        where = Path(tmp)
        scratch_project(target, where)
        mutmut = [sys.executable, "-m", "mutmut"]
        env = {**os.environ, "PYTHONPATH": str(where)}
        run = subprocess.run(mutmut + ["run", "--max-children", str(children)], cwd=where, env=env,
                             capture_output=True, text=True)
        if run.returncode != 0:
            sys.stdout.write(run.stdout[-4000:] + run.stderr[-4000:])
            sys.exit(f"mutmut failed on {target.module}")
        listing = subprocess.run(mutmut + ["results", "--all", "true"], cwd=where, env=env,
                                 capture_output=True, text=True, check=True).stdout
        statuses = dict(re.findall(r"^\s*(\S+): (.+)$", listing, re.M))
        for name, status in statuses.items():
            if status != "killed":
                diff = subprocess.run(mutmut + ["show", name], cwd=where, env=env, capture_output=True, text=True)
                statuses[name] = f"{status}\n{_indent(diff.stdout)}"
        return statuses


def _indent(text: str) -> str:
    return "\n".join("        " + line for line in text.strip().splitlines()[1:])


def _print_per_module(statuses: dict[str, str], counted: dict[str, str]) -> None:
    """A package's score per module, so a weak module is not hidden by a strong one."""
    modules = sorted({name.split(".x")[0] for name in statuses})
    for module in modules:
        mine = [n for n in statuses if n.split(".x")[0] == module]
        missed = sum(1 for n in mine if n in counted)
        print(f"    {module}: {100.0 * (len(mine) - missed) / len(mine):.1f}% ({len(mine)} mutants, {missed} missed)")


def main(argv: list[str]) -> int:
    allowed = load_allowlist()
    wanted = set(argv)
    children = int(os.environ.get("MUTATION_CHILDREN", "2"))
    failed, seen = [], set()
    for target in TARGETS:
        if wanted and target.module not in wanted:
            continue
        statuses = mutate(target, children)
        seen |= statuses.keys()
        total = len(statuses)
        # A mutant that makes its tests hang past mutmut's timeout is detected too (the run would fail).
        survivors = {n: s for n, s in statuses.items() if not s.startswith(("killed", "timeout"))}
        counted = {n: s for n, s in survivors.items() if n not in allowed}
        score = 100.0 * (total - len(counted)) / total if total else 0.0
        verdict = "ok" if score >= target.threshold else "BELOW THRESHOLD"
        print(f"{target.module}: {score:.1f}% killed ({total} mutants, {len(survivors)} survived, "
              f"{len(survivors) - len(counted)} allow-listed as equivalent; threshold {target.threshold:.0f}%) "
              f"{verdict}")
        if target.module.endswith("/"):
            _print_per_module(statuses, counted)
        for name, status in sorted(survivors.items()):
            note = f"  [allow-listed: {allowed[name]}]" if name in allowed else ""
            print(f"    {name}: {status}{note}")
        if score < target.threshold:
            failed.append(target.module)
    prefixes = tuple(t.module.removesuffix(".py").strip("/").replace("/", ".") + "." for t in TARGETS
                     if not wanted or t.module in wanted)
    stale = [n for n in allowed if n.startswith(prefixes) and n not in seen]
    for name in stale:
        print(f"allow-list entry {name} matches no mutant any more: remove it")
    if failed:
        print("below threshold: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
