"""gunicorn settings, from the environment (WEB_CONCURRENCY, BIND or PORT, GUNICORN_TIMEOUT)."""
import multiprocessing
import os

# BIND, else PORT (set by Procfile platforms), else local only.
bind = os.environ.get("BIND") or (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(min(4, 2 * multiprocessing.cpu_count() + 1))))
worker_class = "sync"  # one request per process at a time; CPU-bound engine steps gain nothing from threads
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))  # recycle workers: bounded memory growth
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None  # the app writes one structured JSON line per request (web/ops/request_log.py)
errorlog = "-"
# No preload_app: each worker builds its own SQLAlchemy engine after the fork (pools must not cross a fork).
preload_app = False
