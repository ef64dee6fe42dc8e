"""gunicorn settings, from the environment (WEB_CONCURRENCY, WEB_THREADS, WEB_WORKER_CLASS, BIND or PORT,
GUNICORN_TIMEOUT).

Threaded workers (gthread): one process per core this process may run on (the engine steps hold the GIL,
so a process uses at most one core, and PostgreSQL on the same machine takes its share of the cores while
the threads wait for it), threads per process for waiting. More processes than cores only added context
switches in the measurement (docs/performance.md, "Worker model"). A request waiting on a row lock (up to
DB_LOCK_TIMEOUT_MS), on the database or on a slow client holds one thread, not a whole process, so the other
requests and /livez keep being served. Measured on this machine (2 cores, docs/deploy.md): with a campaign row
held locked, 4 sync workers served the other campaigns' completions at a fraction of their unlocked rate,
2 x 8 threads kept it (`make bench`, locked-row scenario).
"""
import os

# BIND, else PORT (set by Procfile platforms), else local only. Under systemd socket activation
# (deploy/yiye-web.socket) gunicorn takes the inherited socket instead (LISTEN_FDS) and ignores this.
bind = os.environ.get("BIND") or (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000")


def _cores() -> int:
    """The cores this process may use: its CPU affinity (a container's or systemd's CPUAffinity=), not the host's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no sched_getaffinity on this platform
        return os.cpu_count() or 1


workers = int(os.environ.get("WEB_CONCURRENCY") or _cores())
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS") or 8)
# config.py sizes each worker's DB pool from WEB_THREADS (one connection per thread): the workers inherit it.
os.environ["WEB_THREADS"] = str(threads)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# SIGTERM: stop accepting, finish the requests in progress and those already accepted, within this.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))  # recycle workers: bounded memory growth
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None  # the app writes one structured JSON line per request (web/ops/request_log.py)
errorlog = "-"
# No preload_app: each worker builds its own SQLAlchemy engine after the fork (pools must not cross a fork),
# and a HUP reload (new workers) loads the new code.
preload_app = False

# Liveness from the master on its own port (LIVEZ_BIND, e.g. 127.0.0.1:8001): answered by a thread of the
# master, which does no request work, so a probe never queues behind busy worker threads (web/ops/liveness.py).
# Point the orchestrator's liveness probe here; the app's /livez stays for the load balancer.
livez_bind = os.environ.get("LIVEZ_BIND", "")


def when_ready(server):
    if livez_bind:
        from web.ops import liveness
        server.livez = liveness.start(livez_bind, lambda: [w.tmp.last_update() for w in server.WORKERS.values()],
                                      max_age=max(timeout, 10))
        server.log.info("liveness on %s", livez_bind)


def post_fork(server, worker):
    livez = getattr(server, "livez", None)
    if livez is not None:  # the worker must not hold the master's listening socket (no thread serves it there)
        livez.socket.close()
