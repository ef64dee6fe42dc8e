"""`flask --app app process validate FILE` / `process deploy FILE`: the designer's checks at the console."""
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from services import auth
from services.org import structure
from services.designer import processes as designer
from services.workflow import validation
from services.errors import DomainError

process_cli = AppGroup("process", help="Validate and deploy BPMN process models.")


def _print_report(report: validation.Report) -> None:
    for finding in report.findings:
        label = "错误" if finding.level == "error" else "警告"
        click.echo(f"{label} [{finding.element_id or '-'}] {finding.message}", err=finding.level == "error")


@process_cli.command("validate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(path: Path) -> None:
    """Exit 0 when FILE may deploy; otherwise list the errors by element id and exit 1."""
    text = path.read_text(encoding="utf-8")
    report = validation.validate_dmn(text) if path.suffix.lower() == ".dmn" else validation.validate(text)
    _print_report(report)
    if not report.ok:
        click.echo(f"{path.name}: {len(report.errors)} 个错误，不能部署", err=True)
        sys.exit(1)
    click.echo(f"{path.name}: {report.process_id or '决策表'} 校验通过，可以部署")


@process_cli.command("deploy")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", default=None, help="Record the deploy as this designer account.")
@click.option("--region", "region_code", default=None,
              help="Deploy for this region (division code) and its subtree instead of the whole platform.")
def deploy(path: Path, username: str | None, region_code: str | None) -> None:
    """Validate FILE and deploy it as the newest version of its process (of the platform, or of --region)."""
    actor = None
    region_id = None
    if region_code:
        region_id = structure.region_id_by_code(region_code)
        if region_id is None:
            raise click.ClickException(f"区划代码 {region_code} 不存在")
    if username:
        actor = auth.user_named(username)
        if actor is None:
            raise click.ClickException(f"no user {username}")
    xml = path.read_text(encoding="utf-8")
    report = validation.validate(xml)
    _print_report(report)
    if not report.ok:
        click.echo(f"{path.name}: 校验未通过，未部署", err=True)
        sys.exit(1)
    try:
        definition, _ = designer.deploy_model(actor, xml, path.name, region_id=region_id)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"已部署 {definition.process_id} 版本 {definition.version}"
               + (f"（适用于区划 {region_code} 及下级）" if region_id else ""))


@process_cli.command("deploy-bundled")
@click.option("--new-only", is_flag=True,
              help="Only processes that have no version yet (a release's step: designers' versions stay).")
def deploy_bundled(new_only: bool) -> None:
    """Deploy every model shipped in workflows/ (idempotent): what a new installation needs without demo data."""
    from services.workflow import deployments
    if new_only:
        deployed = deployments.deploy_new_bundled()
        click.echo(f"已部署新增的内置流程 {len(deployed)} 个")
        return
    deployed = deployments.deploy_bundled()
    click.echo(f"已部署内置流程与决策表 {len(deployed)} 个")
