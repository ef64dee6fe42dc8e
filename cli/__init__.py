"""Command-line interface (`flask --app app …`): same services as the pages."""
from flask import Flask

from cli.campaign import campaign_cli
from cli.audit import audit_cli
from cli.demo import demo_cli


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(campaign_cli)
    app.cli.add_command(audit_cli)
