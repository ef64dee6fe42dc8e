"""Throughput over HTTP: gunicorn with 4 gthread workers on PostgreSQL, 50 concurrent clients completing tasks.

A fresh PostgreSQL database of its own (yiye_bench_*, created and dropped by tests/pgdb.py; BENCH_POSTGRES=1)
is migrated, gets the demo county and CAMPAIGNS campaigns drawn up to their joint inspections
(through the services). Each open joint_inspection task's officer gets an API token and a
filled-in form; then gunicorn starts in production mode and 50 client threads POST
/api/v1/tasks/<id>/complete from a shared queue until every task is done. tasks/s counts
successful completions over the wall time of the run; latency is per request.
"""
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import json
import http.client
from pathlib import Path
from queue import Empty, Queue

ROOT = Path(__file__).resolve().parent.parent
URL = ""  # set by rows(): a yiye_bench_* database of its own (tests/pgdb.py), dropped at the end
WORKERS, CLIENTS = 4, 50
CAMPAIGNS, PER_CAMPAIGN = 2, int(os.environ.get("BENCH_THROUGHPUT_TASKS_PER_CAMPAIGN", "150"))
ENTERPRISES = 3000


def _prepare() -> list[tuple[int, str, dict]]:
    """Migrate, load the demo, open the campaigns; return (task id, bearer token, form data) per task."""
    from flask_migrate import upgrade

    from app import create_app
    from config import TestConfig
    from extensions import db
    from models import Campaign
    from services import auth
    from services.workflow import deployments
    from services.workflow import tasks
    from demo import simulate as sim
    from demo.county import load_demo
    from bench.db import open_campaign

    app = create_app(type("ThroughputConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": URL}))
    work, tokens, rng = [], {}, random.Random(3)
    with app.app_context():
        upgrade()
        deployments.deploy_bundled()
        load_demo(enterprises=ENTERPRISES)
        for _ in range(CAMPAIGNS):
            campaign = db.session.get(Campaign, open_campaign(PER_CAMPAIGN))
            for task in sim._open_tasks(campaign, "joint_inspection"):
                actor = sim._actor_for(task)
                if actor.id not in tokens:
                    tokens[actor.id] = auth.issue_token(actor)[0]
                work.append((task.id, tokens[actor.id], sim._inspection(tasks.task_form(actor, task.id), rng)))
        db.session.remove()
        db.engine.dispose()
    random.Random(5).shuffle(work)  # clients hit both campaigns at once
    return work


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gunicorn(port: int) -> subprocess.Popen:
    env = {**os.environ, "APP_ENV": "production", "AUDIT_HMAC_KEY": "k" * 64, "DATABASE_URL": URL, "SECRET_KEY": secrets.token_hex(32),
           "WEB_CONCURRENCY": str(WORKERS), "BIND": f"127.0.0.1:{port}", "LOG_LEVEL": "WARNING"}
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


def _run_clients(port: int, work: list) -> tuple[float, list[float], int]:
    queue: Queue = Queue()
    for item in work:
        queue.put(item)
    latencies, failed, lock = [], [0], threading.Lock()

    def client() -> None:
        while True:
            try:
                task_id, token, data = queue.get_nowait()
            except Empty:
                return
            body = json.dumps({"data": data}, ensure_ascii=False).encode()
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("POST", f"/api/v1/tasks/{task_id}/complete", body=body,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                ok = conn.getresponse().status == 200
                conn.close()
            except OSError:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                failed[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, failed[0]


def rows() -> list[tuple[str, str, str]]:
    label = f"HTTP, {WORKERS} gunicorn workers (gthread x 8) on PostgreSQL, {CLIENTS} clients"
    global URL
    from tests import pgdb
    URL = pgdb.bench_database() or ""
    if not URL:
        return [(f"{label}: throughput", "skipped (set BENCH_POSTGRES=1; PostgreSQL must answer)", "")]
    try:
        work = _prepare()
        port = _free_port()
        server = _start_gunicorn(port)
        try:
            seconds, latencies, failed = _run_clients(port, work)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    finally:
        pgdb.drop(URL)
    done = len(latencies) - failed
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    return [(f"{label}: joint_inspection completions (tasks/s)", f"{done / seconds:.1f}", ""),
            (f"{label}: latency p50 / p95 (ms)",
             f"{statistics.median(latencies) * 1000:.0f} / {p95:.0f}", ""),
            (f"{label}: failed requests of {len(work)}", str(failed), "0")]


if __name__ == "__main__":
    import logging
    logging.disable(logging.WARNING)
    for row in rows():
        print(" | ".join(row))
