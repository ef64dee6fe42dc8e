"""A campaign row held locked: the other campaigns' latency, per gunicorn worker model (issue 19).

A fresh PostgreSQL database (BENCH_DATABASE_URL, as bench/throughput.py) gets the demo county, one
campaign whose row will be locked (LOCKED_CLIENTS drawn enterprises) and one other campaign. For each
worker model — 4 sync workers (the old default) and the production default (gthread, one process per
core x WEB_THREADS) — CLIENTS threads complete the other campaign's joint inspections over HTTP, once
without and once with the locked campaign's row held `FOR UPDATE` by another session while
LOCKED_CLIENTS more threads keep retrying the locked campaign's completions (each waits the 2 s lock
timeout, then gets 409). Reported: the other campaign's p95 latency with and without the lock, and
the slowest /livez answer during the locked run, from a worker (the app's /livez) and from the master
(LIVEZ_BIND, web/ops/liveness.py: never queued behind busy workers).
"""
import os
import random
import statistics
import threading
import time

from bench import throughput
from tests.ops import prod_server

CLIENTS, LOCKED_CLIENTS, PER_RUN, WARM_UP = 8, 4, 40, 8
MODELS = (("4 sync workers", ["-k", "sync", "--threads", "1"], {"WEB_CONCURRENCY": "4"}),
          (f"gthread {os.cpu_count()} x 8 threads (production default)", [], {"WEB_THREADS": "8"}))


def _prepare() -> tuple[int, list, list]:
    from app import create_app
    from config import TestConfig
    from extensions import db
    from flask_migrate import upgrade
    from models import Campaign
    from services import auth
    from services.workflow import deployments, tasks
    from demo import simulate as sim
    from demo.county import load_demo
    from bench.db import open_campaign

    app = create_app(type("LockedRowConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": throughput.URL}))
    rng, tokens = random.Random(11), {}
    with app.app_context():
        upgrade()
        deployments.deploy_bundled()
        load_demo(enterprises=throughput.ENTERPRISES)
        other = db.session.get(Campaign, open_campaign((PER_RUN * 2 + WARM_UP) * len(MODELS)))
        locked = db.session.get(Campaign, open_campaign(LOCKED_CLIENTS))

        def work(campaign):
            out = []
            for task in sim._open_tasks(campaign, "joint_inspection"):
                actor = sim._actor_for(task)
                if actor.id not in tokens:
                    tokens[actor.id] = auth.issue_token(actor)[0]
                out.append((task.id, {"Authorization": f"Bearer {tokens[actor.id]}"},
                            sim._inspection(tasks.task_form(actor, task.id), rng)))
            return out
        result = locked.id, work(other), work(locked)
        db.session.remove()
        db.engine.dispose()
    return result


def _run(port: int, others: list, locked: list, count: int = PER_RUN,
         livez_port: int | None = None) -> tuple[list[float], dict[int, list[float]]]:
    """Complete `count` of the other campaign's tasks; the locked clients retry until that is done."""
    batch = [others.pop() for _ in range(count)]
    latencies, done = [], threading.Event()
    livez: dict[int, list[float]] = {p: [] for p in (port, livez_port) if p}
    lock = threading.Lock()

    def client():
        while True:
            with lock:
                if not batch:
                    return
                task_id, headers, data = batch.pop()
            started = time.perf_counter()
            prod_server.request(port, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": data}, headers, 120)
            latencies.append(time.perf_counter() - started)

    def locked_client(task_id, headers, data):
        while not done.is_set():
            prod_server.request(port, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": data}, headers, 120)

    def probe(target: int):
        while not done.is_set():
            started = time.perf_counter()
            prod_server.request(target, "GET", "/livez", timeout=120)
            livez[target].append(time.perf_counter() - started)
            time.sleep(0.1)

    workers = [threading.Thread(target=client) for _ in range(CLIENTS)]
    helpers = [threading.Thread(target=locked_client, args=item) for item in locked] + [threading.Thread(target=probe, args=(p,)) for p in livez]
    for thread in helpers + workers:
        thread.start()
    for thread in workers:
        thread.join()
    done.set()
    for thread in helpers:
        thread.join()
    return latencies, livez


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] * 1000


def rows() -> list[tuple[str, str, str]]:
    label = "locked campaign row"
    from tests import pgdb
    throughput.URL = pgdb.bench_database() or ""
    if not throughput.URL:
        return [(f"{label}: others' p95", "skipped (set BENCH_POSTGRES=1; PostgreSQL must answer)", "")]
    from sqlalchemy import create_engine, text
    locked_id, others, locked = _prepare()
    out = []
    holder_engine = create_engine(throughput.URL)
    try:
        for name, args, env in MODELS:
            livez_port = prod_server.free_port()
            server = prod_server.start(throughput.URL, prod_server.free_port(), extra_args=args,
                                       LIVEZ_BIND=f"127.0.0.1:{livez_port}", **env)
            try:
                _run(server.port, others, [], WARM_UP)  # each process parses the specs and fills its pool first
                free, _ = _run(server.port, others, [])
                with holder_engine.connect() as holder:
                    holder.execute(text("SELECT id FROM campaign WHERE id = :id FOR UPDATE"), {"id": locked_id})
                    held, livez = _run(server.port, others, locked, livez_port=livez_port)
                    holder.rollback()
            finally:
                prod_server.stop(server)
            out += [(f"{label}, {name}, {CLIENTS} clients: others' completion p95 without / with the lock (ms)",
                     f"{_p95(free):.0f} / {_p95(held):.0f}", "with ≤ 2 x without"),
                    (f"{label}, {name}: slowest app /livez (a worker thread) during the lock (ms)",
                     f"{max(livez[server.port]) * 1000:.0f}", "no target (queues with the requests)"),
                    (f"{label}, {name}: slowest master /livez (LIVEZ_BIND) during the lock (ms)",
                     f"{max(livez[livez_port]) * 1000:.0f}", "< 100")]
    finally:
        holder_engine.dispose()
        pgdb.drop(throughput.URL)
    return out


if __name__ == "__main__":
    import logging
    logging.disable(logging.WARNING)
    for row in rows():
        print(" | ".join(row))
