import sys

import click
from flask.cli import AppGroup

from services.complaints import handling, progress, triage
from services.errors import DomainError
from demo.simulate import simulate

campaign_cli = AppGroup("campaign", help="Campaigns.")


@campaign_cli.command("simulate")
@click.option("--enterprises", "-n", default=20, show_default=True, help="How many enterprises to draw.")
@click.option("--seed", default=1, show_default=True)
def simulate_command(enterprises: int, seed: int) -> None:
    """Drive a new campaign through every stage on the demo data."""
    try:
        campaign = simulate(enterprises, say=click.echo, seed=seed)
    except DomainError as exc:
        click.echo(f"失败: {exc.message} {exc.extra or ''}", err=True)
        sys.exit(1)
    sys.exit(0 if campaign.status == "completed" else 1)


@campaign_cli.command("reopen-targeted-publication")
def reopen_targeted_publication_command() -> None:
    """Give complaint-targeted inspections closed unpublished (before they had a publication stage) their
    publication approval task."""
    reopened = triage.reopen_for_publication()
    click.echo(f"已为 {len(reopened)} 个投诉举报定向检查开启公示审核")


@campaign_cli.command("open-targeted-handling")
def open_targeted_handling_command() -> None:
    """Give complaint-targeted inspections published before they had a handling step (their cases still wait
    for a decision) the lead department's handling task."""
    given = handling.open_waiting()
    click.echo(f"已为 {len(given)} 个投诉举报定向检查开启处置决定")


@campaign_cli.command("sync-targeted-stages")
def sync_targeted_stages_command() -> None:
    """Set complaint-targeted campaigns where their handling and case stand: those an earlier release closed at
    publication while the handling or the follow-up went on are reopened at that stage (idempotent)."""
    changed = progress.repair()
    click.echo(f"已更新 {len(changed)} 个投诉举报定向检查的阶段")
