"""`flask --app app outbox deliver`: send queued messages to enterprises and retry failed ones."""
import click
from flask.cli import AppGroup

from services.portal import outbox

outbox_cli = AppGroup("outbox", help="Messages to enterprises (login codes, notices).")


@outbox_cli.command("deliver")
@click.option("--limit", default=100, show_default=True, help="At most this many messages.")
def deliver(limit: int) -> None:
    click.echo(f"sent {outbox.deliver_pending(limit)} message(s)")
