"""/livez from the gunicorn master, on a port of its own (LIVEZ_BIND): liveness never queues behind busy workers.

The app's own /livez is served by a worker thread, so under overload (every thread busy, requests
queued in the worker) the probe waits with the others and a liveness check may restart a healthy
server (issue 19 measured 21.8 s). The master process does no request work: a thread in it answers
at once. It says "ok" while at least one worker's heartbeat is fresh: a gthread worker's main loop
beats about once a second whether or not its threads are busy, so a worker that is merely loaded
stays live and one that is stuck (or gone) does not. Standard library only: this runs in the master,
which never builds the Flask app (no preload).
"""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable

Heartbeats = Callable[[], Iterable[float]]  # the workers' last heartbeats, time.monotonic() (as gunicorn 27 writes them)


def fresh_workers(heartbeats: Iterable[float], max_age: float, now: float) -> int:
    return sum(1 for beat in heartbeats if now - beat <= max_age)


class _Handler(BaseHTTPRequestHandler):
    server: "LivenessServer"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.split("?")[0] != "/livez":
            self._answer(404, {"status": "not found"})
            return
        live = self.server.live_workers()
        self._answer(200 if live else 503, {"status": "ok" if live else "fail", "workers": live})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # probes every few seconds: no log line each
        pass


class LivenessServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], heartbeats: Heartbeats, max_age: float):
        self.heartbeats, self.max_age = heartbeats, max_age
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        if hasattr(socket, "SO_REUSEPORT"):  # a USR2 re-exec'd master binds while the old one still listens
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()

    def live_workers(self) -> int:
        for _ in range(3):  # the master's own thread may change its worker table meanwhile
            try:
                return fresh_workers(list(self.heartbeats()), self.max_age, time.monotonic())
            except RuntimeError:
                continue
        return 0


def parse_bind(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host or "127.0.0.1", int(port)


def start(bind: str, heartbeats: Heartbeats, max_age: float) -> LivenessServer:
    server = LivenessServer(parse_bind(bind), heartbeats, max_age)
    threading.Thread(target=server.serve_forever, name="livez", daemon=True).start()
    return server
