"""Command-line interface (`flask --app app …`): same services as the pages."""
from flask import Flask

from cli.campaign import campaign_cli
from cli.audit import audit_cli
from cli.clock import clock_cli
from cli.demo import demo_cli
from cli.directory import directory_cli
from cli.draw import draw_cli
from cli.outbox import outbox_cli
from cli.worker import timers_cli, worker_command
from cli.process import process_cli
from cli.org import org_cli, users_cli


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(campaign_cli)
    app.cli.add_command(directory_cli)
    app.cli.add_command(draw_cli)
    app.cli.add_command(timers_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(process_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(org_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(clock_cli)
