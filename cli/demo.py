import click
from flask.cli import AppGroup

from services import deployments
from services.demo import DEMO_PASSWORD, load_demo

demo_cli = AppGroup("demo", help="Demo county data.")


@demo_cli.command("load")
@click.option("--enterprises", default=2000, show_default=True)
def load(enterprises: int) -> None:
    """Deploy the bundled workflows and load the demo county (idempotent)."""
    deployments.deploy_bundled()
    summary = load_demo(enterprises=enterprises)
    click.echo(f"演示数据: {summary['counts']}")
    click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）:")
    for username, roles, department in summary["accounts"]:
        click.echo(f"  {username:<16} {','.join(roles):<28} {department or ''}")
