"""The primary's completion rate with and without public pages read on a streaming replica (BENCH_POSTGRES=1).

A private primary and its hot standby (tests/pgreplica.py, fsync on) are started; a yiye_bench_* database on
the primary gets the demo county and two campaigns drawn up to their joint inspections (bench/throughput.py's
preparation). Three gunicorns (production mode) run: one takes the completions, one serves public pages with
DATABASE_READ_URL = the standby, one serves them from the primary. Phases of PHASE_TASKS completions each
(COMPLETERS clients POSTing /api/v1/tasks/<id>/complete) run alone, with READERS more clients fetching public
pages (公示 results, plan, matters) from the replica-reading server as fast as they are answered, and with the
same load on the primary-reading server: ABCABC, medians per kind. Everything shares the machine's cores: the
difference is contention for CPU as much as for the database.
"""
import http.client
import itertools
import json
import os
import secrets
import signal
import statistics
import threading
import time
from contextlib import contextmanager
from queue import Empty, Queue

from bench import throughput

COMPLETERS, READERS = 8, 8
PHASE_TASKS = int(os.environ.get("BENCH_REPLICA_PHASE_TASKS", "50"))
PUBLIC_PAGES = ("/public/", "/public/plan/", "/public/matters/", "/public/?q=%E5%85%AC%E5%8F%B8")


def _complete_all(port: int, work: list) -> tuple[float, int]:
    """Complete every task of `work` with COMPLETERS clients; (seconds, failed requests)."""
    queue: Queue = Queue()
    for item in work:
        queue.put(item)
    failed = [0]

    def client() -> None:
        while True:
            try:
                task_id, token, data = queue.get_nowait()
            except Empty:
                return
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.request("POST", f"/api/v1/tasks/{task_id}/complete",
                             body=json.dumps({"data": data}, ensure_ascii=False).encode(),
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                failed[0] += conn.getresponse().status != 200
            except OSError:
                failed[0] += 1
            finally:
                conn.close()

    threads = [threading.Thread(target=client) for _ in range(COMPLETERS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, failed[0]


@contextmanager
def _public_load(port: int | None):
    """READERS clients fetching public pages from `port` (None: no load) until the block ends; yields their
    answers' statuses."""
    stop, answers = threading.Event(), []

    def reader(offset: int) -> None:
        for path in itertools.islice(itertools.cycle(PUBLIC_PAGES), offset, None):
            if stop.is_set():
                return
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                answers.append(response.status)
            except OSError:
                answers.append(0)
            finally:
                conn.close()

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS if port else 0)]
    for t in threads:
        t.start()
    try:
        yield answers
    finally:
        stop.set()
        for t in threads:
            t.join()


@contextmanager
def _gunicorn(read_url: str | None):
    """throughput's gunicorn (production config) on URL, with or without DATABASE_READ_URL."""
    saved = os.environ.pop("DATABASE_READ_URL", None)
    if read_url:
        os.environ["DATABASE_READ_URL"] = read_url
    try:
        port = throughput._free_port()
        server = throughput._start_gunicorn(port)
    finally:
        os.environ.pop("DATABASE_READ_URL", None)
        if saved is not None:
            os.environ["DATABASE_READ_URL"] = saved
    try:
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def _phases(work: list, read_url: str) -> dict[str, list[tuple[float, float, int]]]:
    """Per load ("none", "replica", "primary"): (completions/s, public pages/s, failed) of each phase, ABCABC.
    Completions go to one gunicorn; the public load to a second one reading from the replica or to a third
    reading from the primary, so only where the public pages are read from changes between the loads."""
    plan = ("none", "replica", "primary") * 2
    chunks = [work[i:i + PHASE_TASKS] for i in range(0, PHASE_TASKS * len(plan), PHASE_TASKS)]
    results: dict[str, list] = {load: [] for load in plan}
    with _gunicorn(None) as completing, _gunicorn(read_url) as on_replica, _gunicorn(None) as on_primary:
        readers = {"none": None, "replica": on_replica, "primary": on_primary}
        for load, chunk in zip(plan, chunks):
            with _public_load(readers[load]) as answers:
                seconds, failed = _complete_all(completing, chunk)
            bad = sum(status != 200 for status in answers)
            results[load].append((len(chunk) / seconds, len(answers) / seconds, failed + bad))
    return results


def rows() -> list[tuple[str, str, str]]:
    label = (f"replica: {COMPLETERS} clients completing on the primary (gunicorn, production mode), "
             f"{READERS} more reading public pages")
    from tests import pgdb, pgreplica
    if os.environ.get("BENCH_POSTGRES") != "1" and pgdb.requested() is None:
        return [(f"{label}", "skipped (set BENCH_POSTGRES=1)", "")]
    try:
        pair = pgreplica.start(fsync=True)
    except pgreplica.ReplicaUnavailable as exc:
        return [(f"{label}", f"skipped ({exc})", "")]
    try:
        name = f"yiye_bench_{secrets.token_hex(5)}"
        throughput.URL = pgreplica.create_database(pair, name)
        app = throughput._app()
        work = throughput._open_signatures(app, throughput._prepare(app), {}, seed=5)  # first signatures
        if len(work) < PHASE_TASKS * 6:
            raise SystemExit(f"bench/replica.py needs {PHASE_TASKS * 6} open tasks, the campaigns have {len(work)}")
        pgreplica.wait_replayed(pair)
        results = _phases(work, pair.url(name, replica=True))
    finally:
        pgreplica.stop(pair)
    return _table(label, results)


def _table(label: str, results: dict) -> list[tuple[str, str, str]]:
    def median(load: str, i: int) -> float:
        return statistics.median(r[i] for r in results[load])

    base = median("none", 0)
    return [(f"{label}: completions/s, no public load", f"{base:.1f}", ""),
            (f"{label}: completions/s, public pages read on the replica (pages/s)",
             f"{median('replica', 0):.1f} ({median('replica', 1):.0f})", ""),
            (f"{label}: completions/s, the same public pages read on the primary (pages/s)",
             f"{median('primary', 0):.1f} ({median('primary', 1):.0f})", ""),
            (f"{label}: completions/s with the load on the replica / without load",
             f"{median('replica', 0) / base:.2f}", ""),
            (f"{label}: completions/s with the load on the primary / without load",
             f"{median('primary', 0) / base:.2f}", ""),
            (f"{label}: failed requests", str(sum(r[2] for rs in results.values() for r in rs)), "0")]


if __name__ == "__main__":
    import logging
    logging.disable(logging.WARNING)
    for row in rows():
        print(" | ".join(row))
