"""`flask --app app directory import enterprises|officials|experts|credit FILE [--dry-run] [--valid-only]`."""
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from services import auth
from services.imports import batch as imports
from services.errors import DomainError

directory_cli = AppGroup("directory", help="The three libraries (三库): imports.")


@directory_cli.command("import")
@click.argument("kind", type=click.Choice(imports.KINDS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and count the changes, write nothing.")
@click.option("--valid-only", is_flag=True, help="Apply the valid rows and skip the bad ones (default: all or nothing).")
@click.option("--as-user", default="admin", show_default=True, help="Account the import is recorded under.")
def import_file(kind: str, path: Path, dry_run: bool, valid_only: bool, as_user: str) -> None:
    """Import a CSV (UTF-8 or GBK/GB18030) or XLSX file; report every bad row."""
    actor = auth.user_named(as_user)
    if actor is None:
        raise click.ClickException(f"no user {as_user!r}")
    with click.progressbar(length=1000, label=f"导入 {path.name}", file=sys.stderr) as bar:
        done = {"n": 0}

        def progress(fraction: float) -> None:
            target = int(fraction * 1000)
            bar.update(target - done["n"])
            done["n"] = target
        try:
            report = imports.run_import(actor, kind, path, dry_run=dry_run, valid_only=valid_only, progress=progress)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
    for line in describe(report):
        click.echo(line)
    if report.error_count and not report.applied and not dry_run:
        raise SystemExit(1)


def describe(report: imports.ImportReport) -> list[str]:
    """The report as lines a person reads; also used by tests."""
    lines = [f"文件：{report.file_kind.upper()}{'，编码 ' + report.encoding if report.encoding else ''}；"
             f"数据行 {report.rows}：新增 {report.inserted}，更新 {report.updated}，未变 {report.unchanged}，"
             f"错误行 {report.bad_rows}（{report.error_count} 处）"]
    if report.kind == "credit":
        lines.append(f"名录库中不存在的代码 {report.unknown_count} 个（已跳过）")
        lines += [f"  第 {e.row} 行 {e.column}：{e.reason}" for e in report.unknown[:20]]
    lines += [f"  第 {e.row} 行 {e.column}：{e.reason}" for e in report.errors]
    if report.error_count > len(report.errors):
        lines.append(f"  ……另有 {report.error_count - len(report.errors)} 处错误未列出")
    if report.dry_run:
        lines.append("试运行（--dry-run）：未写入任何数据")
    elif report.applied:
        lines.append("已导入" + (f"（跳过 {report.bad_rows} 个错误行）" if report.bad_rows else ""))
    else:
        lines.append("存在错误，未导入任何数据（全部成功才导入；可改正后重试，或使用 --valid-only 只导入正确的行）")
    return lines
