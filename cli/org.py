"""`flask --app app org import FILE.xlsx` and `flask --app app users create|disable|reset-password`.

The console is how a new bureau starts: on an empty database, `org import` loads the region tree,
departments and officials, and `users create` makes the first admin (no region: the whole platform).
Commands run as the console (audit actor: none) unless `--as-user` names an admin.
"""
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from cli.directory import describe
from services.errors import DomainError, ValidationFailed
from services.org import accounts, org_import

org_cli = AppGroup("org", help="The organisation: regions, departments, people.")
users_cli = AppGroup("users", help="Accounts: create, disable, reset a password.")


def _actor(username: str | None):
    return accounts.find_account(username) if username else None


def _fail(exc: DomainError) -> None:
    if isinstance(exc, ValidationFailed):
        for field, messages in exc.errors.items():
            for message in messages:
                click.echo(f"{field}: {message}", err=True)
    raise click.ClickException(exc.message)


@org_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and count the changes, write nothing.")
@click.option("--valid-only", is_flag=True, help="Apply the valid rows and skip the bad ones (default: all or nothing).")
@click.option("--as-user", default=None, help="An admin the import is recorded under (default: the console).")
def import_org(path: Path, dry_run: bool, valid_only: bool, as_user: str | None) -> None:
    """Import regions, departments and people from an XLSX workbook (sheets 区划, 部门, 人员)."""
    try:
        report = org_import.run(_actor(as_user), path, dry_run=dry_run, valid_only=valid_only)
    except DomainError as exc:
        _fail(exc)
    for line in describe(report):
        click.echo(line)
    if report.error_count and not report.applied and not dry_run:
        raise SystemExit(1)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True,
              help="official, department_admin, designer, supervisor or admin (repeat for several).")
@click.option("--region", "region_code", default=None, help="Division code of the account's region (scope root).")
@click.option("--department", default=None, help="Department name or code.")
@click.option("--name", "display_name", default=None, help="Display name (default: the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def create(username: str, roles: tuple[str, ...], region_code: str | None, department: str | None,
           display_name: str | None, password_stdin: bool) -> None:
    """Create an account. Without --region and --department it holds its roles for the whole platform."""
    try:
        user = accounts.create_account(None, username=username, password=_password(password_stdin),
                                       roles=list(roles), display_name=display_name, region_code=region_code,
                                       department=department)
    except DomainError as exc:
        _fail(exc)
    where = user.region.name if user.region else "全平台"
    click.echo(f"已创建账号 {user.username}（{'、'.join(accounts.ROLE_NAMES[r] for r in user.role_names)}，{where}）")


@users_cli.command("disable")
@click.argument("username")
@click.option("--reassign-to", default=None, help="A colleague of the same department who takes the open tasks.")
def disable(username: str, reassign_to: str | None) -> None:
    """Disable an account: no more logins; its open tasks go back to the department pool (or to a colleague)."""
    try:
        result = accounts.disable_account(None, accounts.find_account(username).id, reassign_to)
    except DomainError as exc:
        _fail(exc)
    target = f"转交 {result['reassigned_to'].username}" if result["reassigned_to"] else "退回部门任务池"
    click.echo(f"已停用账号 {username}；未办结任务 {len(result['tasks'])} 件已{target}")


@users_cli.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def reset_password(username: str, password_stdin: bool) -> None:
    """Set a new password; the user must change it at the next login."""
    try:
        accounts.reset_password(None, accounts.find_account(username).id, _password(password_stdin))
    except DomainError as exc:
        _fail(exc)
    click.echo(f"已重置 {username} 的密码（下次登录须修改）")


@org_cli.command("check-production")
def check_production() -> None:
    """Exit 1 when the database holds the demo county or an account that opens with the demo password
    (run before the web server starts: deploy/run-prod.sh, yiye-web.service)."""
    problems = accounts.demo_leftovers()
    for line in problems:
        click.echo(line, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("未发现演示数据或演示密码")
