"""`flask --app app audit verify [--checkpoints FILE_OR_URL]` and `flask --app app audit checkpoint`."""
import sys

import click
from flask.cli import AppGroup

from services import audit, audit_checkpoints

audit_cli = AppGroup("audit", help="审计日志 (audit trail)")


@audit_cli.command("verify")
@click.option("--checkpoints", "source", metavar="FILE_OR_URL",
              help="A published checkpoint list (file or http(s) URL): the chain must pass through each one.")
def verify_command(source: str | None) -> None:
    """Check every record's hash and link; report the first tampered, missing or unverifiable record."""
    checkpoints = []
    if source:
        try:
            checkpoints = audit_checkpoints.load(source)
        except audit_checkpoints.CheckpointFileError as exc:
            click.echo(str(exc), err=True)
            sys.exit(2)
    result = audit.verify(checkpoints)
    if result.ok:
        against = f", {len(checkpoints)} published checkpoints matched" if source else ""
        click.echo(f"审计链完整 (audit chain intact): {result.checked} records{against}")
        return
    where = f" seq={result.seq}" if result.seq is not None else ""
    where += f" id={result.record_id}" if result.record_id is not None else ""
    click.echo(f"审计链校验失败 (audit chain broken){where}: {result.problem} "
               f"({result.checked} records verified before it)", err=True)
    sys.exit(1)


@audit_cli.command("checkpoint")
def checkpoint_command() -> None:
    """Publish the chain head now (the worker does this daily; draws and publications do it too)."""
    checkpoint = audit_checkpoints.publish_on_request()
    click.echo(f"检查点已公布 (checkpoint published): seq {checkpoint.seq} {checkpoint.hash}")
