"""`flask --app app worker` (fires due timers until stopped) and `flask --app app timers run --until`."""
import os
import signal
import socket
import sys
import time
from datetime import datetime, timedelta, timezone

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import OperationalError

from extensions import db
from services import audit_checkpoints
from services.portal import outbox
from services.workflow import event_timers
from services.workflow import clock
from services.workflow import timers

timers_cli = AppGroup("timers", help="Timers: fire what is due.")


class _Stop:
    """Set by SIGTERM/SIGINT; the worker finishes the timer in hand and exits between timers."""
    requested = False

    @classmethod
    def request(cls, signum, frame) -> None:  # noqa: ARG003 - signal handler signature
        cls.requested = True


@click.command("worker")
@click.option("--batch", type=int, help="Timers fired per loop (default WORKER_BATCH).")
@click.option("--idle", type=float, help="Seconds to sleep when nothing was due (default WORKER_IDLE_SECONDS).")
@click.option("--once", is_flag=True, help="Run one loop and exit (for cron and tests).")
@with_appcontext
def worker_command(batch: int | None, idle: float | None, once: bool) -> None:
    """Fire due timers and escalations, and deliver the outbox, until SIGTERM; several workers may run at once (PostgreSQL)."""
    batch = batch or current_app.config["WORKER_BATCH"]
    idle = current_app.config["WORKER_IDLE_SECONDS"] if idle is None else idle
    _Stop.requested = False
    signal.signal(signal.SIGTERM, _Stop.request)
    signal.signal(signal.SIGINT, _Stop.request)
    worker_id = f"{socket.gethostname()}:{os.getpid()}:{int(time.time())}"
    timers.heartbeat(worker_id)
    audit_checkpoints.ensure_scheduled()  # the daily audit checkpoint, which then reschedules itself
    click.echo(f"worker {worker_id} started (batch {batch}, idle {idle}s)")
    while not _Stop.requested:
        try:
            clock.refresh_shared()  # the operator's shared clock (flask clock set) moves this worker too
            fired = _one_batch(batch)
            outbox.deliver_pending(batch)  # messages to enterprises queued by the pages and the timers
            timers.heartbeat(worker_id, fired)
        except OperationalError as exc:  # database restarting or unreachable: keep the worker alive
            db.session.rollback()
            click.echo(f"database error, retrying: {exc.__class__.__name__}", err=True)
            fired = 0
        finally:
            db.session.remove()
        if fired:
            click.echo(f"fired {fired}")
        if once:
            break
        if fired < batch:
            _sleep(idle)
    timers.heartbeat(worker_id, stopping=True)
    click.echo(f"worker {worker_id} stopped")


def _one_batch(batch: int) -> int:
    fired = 0
    while fired < batch and not _Stop.requested:
        if timers.fire_due(limit=1) == 0:
            break
        fired += 1
    return fired


def _sleep(seconds: float) -> None:
    end = time.monotonic() + seconds
    while not _Stop.requested and time.monotonic() < end:
        time.sleep(max(0.0, min(0.2, end - time.monotonic())))


@timers_cli.command("run")
@click.option("--until", "until", required=True,
              help="ISO datetime; without an offset it is Beijing time (e.g. 2026-12-01T09:00 or ...+00:00).")
@with_appcontext
def run_command(until: str) -> None:
    """Fire everything due by UNTIL, moving the app clock to each timer's due time (tests, demos, catch-up)."""
    try:
        moment = datetime.fromisoformat(until)
    except ValueError:
        click.echo(f"not an ISO datetime: {until}", err=True)
        sys.exit(2)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone(timedelta(hours=8)))
    moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    fired = timers.run_until(moment)
    click.echo(f"fired {fired} timer(s); clock at {clock.now().isoformat(timespec='seconds')}Z")


@timers_cli.command("backfill")
@with_appcontext
def backfill_command() -> None:
    """Schedule BPMN timer events and SLA escalations for running instances that have none (after an upgrade)."""
    click.echo(f"checked {event_timers.backfill()} running instance(s)")
