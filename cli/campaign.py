import sys

import click
from flask.cli import AppGroup

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
