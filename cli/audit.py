"""`flask --app app audit verify`: walk the audit hash chain; exit 0 when intact."""
import sys

import click
from flask.cli import AppGroup

from services import audit

audit_cli = AppGroup("audit", help="审计日志 (audit trail)")


@audit_cli.command("verify")
def verify_command() -> None:
    """Check every record's hash and link; report the first tampered or missing record."""
    result = audit.verify()
    if result.ok:
        click.echo(f"审计链完整 (audit chain intact): {result.checked} records")
        return
    where = f" seq={result.seq}" if result.seq is not None else ""
    where += f" id={result.record_id}" if result.record_id is not None else ""
    click.echo(f"审计链校验失败 (audit chain broken){where}: {result.problem} "
               f"({result.checked} records verified before it)", err=True)
    sys.exit(1)
