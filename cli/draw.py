"""`flask --app app draw verify DRAW_ID` / `draw export DRAW_ID`: the same services as the public page."""
import json
import sys

import click
from flask.cli import AppGroup

from services.draw import records as draw_records
from services.errors import DomainError

draw_cli = AppGroup("draw", help="Double-random draws: verify and export.")


@draw_cli.command("verify")
@click.argument("draw_id", type=int)
def verify_command(draw_id: int) -> None:
    """Recompute a draw from its published snapshot, parameters and seed; exit 0 on a match."""
    try:
        outcome = draw_records.verify(draw_id)
    except DomainError as exc:
        click.echo(f"失败: {exc.message}", err=True)
        sys.exit(2)
    labels = {"match": "一致 (match)", "mismatch": "不一致 (mismatch)", "pending": "种子尚未揭晓 (pending)"}
    click.echo(f"抽取 {draw_id}: {labels[outcome.status]}")
    for problem in outcome.problems:
        click.echo(f"  - {problem}")
    sys.exit(0 if outcome.status == "match" else 1)


@draw_cli.command("export")
@click.argument("draw_id", type=int)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File (default: stdout).")
def export_command(draw_id: int, output: str | None) -> None:
    """JSON with everything needed to recompute the draw; check it with `python domain/draw.py FILE`."""
    try:
        data = draw_records.export(draw_id)
    except DomainError as exc:
        click.echo(f"失败: {exc.message}", err=True)
        sys.exit(2)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text)
