"""The results table, on stdout and in docs/performance.md with the machine it ran on."""
import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| metric | value | target |", "|---|---|---|"]
    return "\n".join(lines + [f"| {m} | {v} | {t} |" for m, v, t in rows])


def machine() -> list[str]:
    return [f"- nproc: {os.cpu_count()}", f"- CPU: {_cpu_model()}",
            f"- Python: {platform.python_version()} ({platform.platform()})",
            f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"- commit: {_commit()}"]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_doc(rendered: str, method: str) -> None:
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n\n".join([
        "# Performance", "Written by `make bench` (`python -m bench`); rerun it to refresh this page.",
        "## Machine", "\n".join(machine()), "## Results", rendered, "## Method", method]) + "\n", encoding="utf-8")
