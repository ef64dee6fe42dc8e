import click
from flask import current_app
from flask.cli import AppGroup

from services.workflow import deployments
from demo.county import DEMO_PASSWORD, load_demo

demo_cli = AppGroup("demo", help="Demo county data.")


@demo_cli.command("load")
@click.option("--enterprises", default=2000, show_default=True)
def load(enterprises: int) -> None:
    """Deploy the bundled workflows and load the demo county (idempotent)."""
    _refuse_in_production()
    deployments.deploy_bundled()
    summary = load_demo(enterprises=enterprises)
    click.echo(f"演示数据: {summary['counts']}")
    click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）:")
    for username, roles, department in summary["accounts"]:
        click.echo(f"  {username:<16} {','.join(roles):<28} {department or ''}")


# Campaigns at different stages, so a demo shows a lively county: one closed loop with published
# results and a report, one waiting for countersignatures, one whose inspections are open.
DEMO_CAMPAIGNS = (("考核", 6), ("联合检查", 5), ("报到", 4))


@demo_cli.command("campaigns")
def campaigns() -> None:
    """Run demo campaigns through the services to different stages (skipped when campaigns exist)."""
    _refuse_in_production()
    from demo.simulate import simulate
    from services.stages import initiation
    if initiation.any_campaign():
        click.echo("已有检查活动，跳过演示活动")
        return
    for seed, (until, enterprises) in enumerate(DEMO_CAMPAIGNS, start=1):
        campaign = simulate(enterprises, say=lambda _: None, seed=seed, until=until)
        click.echo(f"演示活动 {campaign.code}: 完成至「{until}」，当前阶段 {campaign.stage}")


def _refuse_in_production() -> None:
    """Production never holds demo data or the shared demo password: refuse before anything is written."""
    if not current_app.config.get("DEMO_ALLOWED", True):
        click.echo("生产环境（APP_ENV=production）不能加载演示数据：请用 `flask --app app org import` 导入组织架构，"
                   "用 `flask --app app users create` 创建管理员", err=True)
        raise SystemExit(2)
