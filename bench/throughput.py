"""Throughput over HTTP: gunicorn in production mode on PostgreSQL, 50 keep-alive clients completing inspections.

A fresh PostgreSQL database of its own (yiye_bench_*, created and dropped by tests/pgdb.py; BENCH_POSTGRES=1)
is migrated, gets the demo county and CAMPAIGNS campaigns drawn up to their joint inspections (through the
services). Every inspection needs two signatures (two tasks): phase 1 POSTs every first signature to
/api/v1/tasks/<id>/complete, each with its officer's API token and a filled-in form; then (untimed) the
countersign tasks those opened are looked up with their second officers, and phase 2 POSTs them (each
finalises its inspection and counts down its campaign under the campaign's row lock). completions/s counts
successful completions over the two phases' wall time; latency is per request, queueing included.

gunicorn runs with deploy/gunicorn.conf.py's defaults unless BENCH_WEB_CONCURRENCY / BENCH_WEB_THREADS /
BENCH_WORKER_CLASS say otherwise (the measurement table of docs/deploy.md). The client is a process of its own
(bench/http_load.py); the CPU seconds of gunicorn's workers, of PostgreSQL's backends serving them and of the
client are reported per completion: all three share the machine's cores.
"""
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import http.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = ""  # set by rows(): a yiye_bench_* database of its own (tests/pgdb.py), dropped at the end
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
CAMPAIGNS, PER_CAMPAIGN = 2, int(os.environ.get("BENCH_THROUGHPUT_TASKS_PER_CAMPAIGN", "150"))
ENTERPRISES = 3000
SERVER = {"WEB_CONCURRENCY": os.environ.get("BENCH_WEB_CONCURRENCY"), "WEB_THREADS": os.environ.get("BENCH_WEB_THREADS"),
          "WEB_WORKER_CLASS": os.environ.get("BENCH_WORKER_CLASS")}


def _app():
    from app import create_app
    from config import TestConfig
    return create_app(type("ThroughputConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": URL}))


def _prepare(app) -> list[int]:
    """Migrate, load the demo, open the campaigns up to their joint inspections; their ids."""
    from flask_migrate import upgrade

    from bench.db import open_campaign
    from demo.county import load_demo
    from services.workflow import deployments

    with app.app_context():
        upgrade()
        deployments.deploy_bundled()
        load_demo(enterprises=ENTERPRISES)
        return [open_campaign(PER_CAMPAIGN) for _ in range(CAMPAIGNS)]


def _open_signatures(app, campaign_ids: list[int], tokens: dict, seed: int) -> list[tuple[int, str, dict]]:
    """(task id, bearer token, form data) for every open joint inspection task, for the officer who signs next."""
    from demo import simulate as sim
    from extensions import db
    from models import Campaign
    from services import auth
    from services.workflow import tasks

    work, rng = [], random.Random(seed)
    with app.app_context():
        for campaign in (db.session.get(Campaign, cid) for cid in campaign_ids):
            for task in sim._open_tasks(campaign, "joint_inspection"):
                actor = sim._actor_for(task)
                if actor.id not in tokens:
                    tokens[actor.id] = auth.issue_token(actor)[0]
                work.append((task.id, tokens[actor.id], sim._inspection(tasks.task_form(actor, task.id), rng)))
        db.session.remove()
        db.engine.dispose()  # the client process is forked next: no pooled connection may cross it
    random.Random(seed).shuffle(work)  # clients hit both campaigns at once
    return work


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gunicorn(port: int) -> subprocess.Popen:
    env = {**os.environ, "APP_ENV": "production", "AUDIT_HMAC_KEY": "k" * 64, "DATABASE_URL": URL,
           "SECRET_KEY": secrets.token_hex(32), "BIND": f"127.0.0.1:{port}", "LOG_LEVEL": "WARNING",
           **{name: value for name, value in SERVER.items() if value}}
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "--config", "deploy/gunicorn.conf.py",
                               "app:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/livez")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    raise SystemExit("gunicorn did not start")


def _postgres_backends() -> list[int]:
    """The PostgreSQL backend processes serving gunicorn (application_name yiye) on this bench's database."""
    import psycopg
    from sqlalchemy.engine import make_url
    dsn = make_url(URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        return [pid for (pid,) in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                                               " AND application_name = 'yiye'")]


def _phase(server: subprocess.Popen, port: int, work: list) -> dict:
    from bench import http_load
    app_before = http_load.cpu_seconds(http_load.descendants(server.pid))
    db_before = http_load.cpu_seconds(_postgres_backends())
    result = http_load.run(port, work, CLIENTS)
    result["app_cpu"] = http_load.spent(app_before, http_load.cpu_seconds(http_load.descendants(server.pid)))
    result["db_cpu"] = http_load.spent(db_before, http_load.cpu_seconds(_postgres_backends()))
    result["workers"] = len(http_load.children(server.pid))
    return result


def _label(workers: int) -> str:
    threads = SERVER["WEB_THREADS"] or "8"
    kind = SERVER["WEB_WORKER_CLASS"] or "gthread"
    shape = f"{workers} {kind} workers" + (f" x {threads} threads" if kind == "gthread" else "")
    return f"HTTP, gunicorn {shape} on PostgreSQL, {CLIENTS} keep-alive clients"


def rows() -> list[tuple[str, str, str]]:
    global URL
    from tests import pgdb
    URL = pgdb.bench_database() or ""
    if not URL:
        return [("HTTP throughput", "skipped (set BENCH_POSTGRES=1; PostgreSQL must answer)", "")]
    try:
        app, tokens = _app(), {}
        campaign_ids = _prepare(app)
        first = _open_signatures(app, campaign_ids, tokens, seed=5)
        port = _free_port()
        server = _start_gunicorn(port)
        try:
            phases = [_phase(server, port, first)]
            phases.append(_phase(server, port, _open_signatures(app, campaign_ids, tokens, seed=7)))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    finally:
        pgdb.drop(URL)
    return _rows(phases, len(first))


def _rows(phases: list[dict], inspections: int) -> list[tuple[str, str, str]]:
    label = _label(phases[0]["workers"])
    latencies = [x for p in phases for x in p["latencies"]]
    failures = [f for p in phases for f in p["failures"]]
    seconds = sum(p["seconds"] for p in phases)
    done = len(latencies) - len(failures)
    app_cpu, db_cpu, client_cpu = (sum(p[k] for p in phases) for k in ("app_cpu", "db_cpu", "client_cpu"))
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    statuses = ", ".join(f"{s}: {failures.count(s)}" for s in sorted(set(failures)))
    return [(f"{label}: completions/s (first signatures + countersigns of {inspections} inspections)",
             f"{done / seconds:.1f}", ">= 100"),
            (f"{label}: first signatures / countersigns alone (completions/s)",
             " / ".join(f"{(len(p['latencies']) - len(p['failures'])) / p['seconds']:.1f}" for p in phases), ""),
            (f"{label}: latency p50 / p95 (ms)", f"{statistics.median(latencies) * 1000:.0f} / {p95:.0f}", ""),
            (f"{label}: failed requests of {len(latencies)}", str(len(failures)) + (f" ({statuses})" if statuses else ""), "0"),
            (f"{label}: CPU per completion, gunicorn workers / PostgreSQL / client (ms)",
             " / ".join(f"{cpu / max(done, 1) * 1000:.1f}" for cpu in (app_cpu, db_cpu, client_cpu)), ""),
            (f"{label}: load average during the run (1 min)", f"{os.getloadavg()[0]:.1f}", "")]


if __name__ == "__main__":
    import logging
    logging.disable(logging.WARNING)
    for row in rows():
        print(" | ".join(row))
