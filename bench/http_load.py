"""The load client of bench/throughput.py, in a process of its own, and the CPU accounting of a run.

The client shares the machine's cores with gunicorn and PostgreSQL, so it is kept light and its CPU is
reported: plain http.client, one persistent (keep-alive) connection per client thread, as a load balancer
holds them; a connection the server closed is opened again and that request retried once (never a
completion twice: only a request that got no answer at all is retried).
"""
import http.client
import json
import multiprocessing
import os
import threading
import time
from pathlib import Path
from queue import Empty, Queue

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> dict[int, float]:
    """user + system CPU seconds of each of these processes so far (one that has gone is left out)."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two snapshots; a process that started in between counts from 0."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers of its master)."""
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def descendants(pid: int) -> list[int]:
    """Every process below this one (gunicorn's workers and the sandbox processes they start)."""
    out, todo = [], [pid]
    while todo:
        found = children(todo.pop())
        out += found
        todo += found
    return out


def run(port: int, work: list, clients: int) -> dict:
    """POST every (task id, token, data) of `work` from `clients` threads in a child process; returns its
    wall seconds, latencies, the status of every failed request (0: no answer) and the client's own CPU seconds."""
    ctx = multiprocessing.get_context("fork")  # the parent holds no threads or pooled connections here
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_client_process, args=(port, work, clients, child))
    process.start()
    child.close()
    result = parent.recv()
    process.join()
    return result


def _client_process(port: int, work: list, clients: int, pipe) -> None:
    queue: Queue = Queue()
    for task_id, token, data in work:
        queue.put((f"/api/v1/tasks/{task_id}/complete", json.dumps({"data": data}, ensure_ascii=False).encode(),
                   {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}))
    latencies, failures, lock = [], [], threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            try:
                path, body, headers = queue.get_nowait()
            except Empty:
                conn.close()
                return
            started = time.perf_counter()
            status = _post(conn, path, body, headers)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    failures.append(status)

    cpu = time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pipe.send({"seconds": time.perf_counter() - started, "latencies": latencies, "failures": failures,
               "client_cpu": time.process_time() - cpu})
    pipe.close()


def _post(conn: http.client.HTTPConnection, path: str, body: bytes, headers: dict) -> int:
    for attempt in (1, 2):
        try:
            conn.request("POST", path, body=body, headers=headers)
        except OSError:
            conn.close()  # the server closed the idle connection before this request went out: reconnect
            if attempt == 2:
                return 0
            continue
        try:
            response = conn.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
            return response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            return 0  # sent, no answer: counted as failed, never sent again (it may have completed)
    return 0
