"""`flask --app app clock show | set | clear`: the shared application clock (services/workflow/clock_setting.py)."""
import getpass
import re
import sys
from datetime import datetime, timedelta, timezone

import click
from flask.cli import AppGroup, with_appcontext

from services.errors import DomainError
from services.workflow import clock_setting

clock_cli = AppGroup("clock", help="The shared clock: move 'now' for the web and the workers together.")
_DURATION = re.compile(r"^([+-]?)(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def _print(state) -> None:
    effect = "in effect" if state.in_effect else ("not in effect (shifting not allowed here)" if state.reason else "real time")
    click.echo(f"now: {state.now.isoformat(timespec='seconds')}Z  offset: {state.offset}  ({effect})")
    if state.reason:
        click.echo(f"set by {state.set_by} at {state.set_at:%Y-%m-%d %H:%M}Z: {state.reason}")


def _run(action) -> None:
    try:
        _print(action())
    except DomainError as exc:
        click.echo(f"refused: {exc.message}", err=True)
        sys.exit(1)


@clock_cli.command("show")
@with_appcontext
def show_command() -> None:
    _print(clock_setting.state())


@clock_cli.command("set")
@click.option("--advance", "advance", help="Offset from real time, e.g. 3d, 12h, -30m.")
@click.option("--to", "to", help="ISO datetime 'now' should read; without an offset it is Beijing time.")
@click.option("--reason", required=True, help="Why (recorded in the audit log).")
@with_appcontext
def set_command(advance: str | None, to: str | None, reason: str) -> None:
    """Shift the clock of every process (development, tests; production only with CLOCK_DRILL=1)."""
    operator = getpass.getuser()
    if bool(advance) == bool(to):
        click.echo("give exactly one of --advance or --to", err=True)
        sys.exit(2)
    if advance:
        match = _DURATION.match(advance.strip())
        if not match:
            click.echo(f"not a duration like 3d, 12h, -30m: {advance}", err=True)
            sys.exit(2)
        sign, amount, unit = match.groups()
        offset = timedelta(**{_UNITS[unit]: int(amount)}) * (-1 if sign == "-" else 1)
        _run(lambda: clock_setting.shift_by(offset, reason, operator))
        return
    try:
        moment = datetime.fromisoformat(to)
    except ValueError:
        click.echo(f"not an ISO datetime: {to}", err=True)
        sys.exit(2)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone(timedelta(hours=8)))
    _run(lambda: clock_setting.shift_to(moment, reason, operator))


@clock_cli.command("clear")
@with_appcontext
def clear_command() -> None:
    """Back to real time for every process."""
    _run(lambda: clock_setting.clear(getpass.getuser()))
