"""Run the production web server (gunicorn with deploy/gunicorn.conf.py, APP_ENV=production) for a test.

The server uses the test's PostgreSQL database and a 127.0.0.1 port of its own. `inherit_socket`
hands it an already listening socket the way systemd socket activation does (LISTEN_FDS=1, fd 3,
LISTEN_PID = the gunicorn master's pid), so a test can stop one server and start the next on the
same socket.
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def start(database_url: str, port: int | None = None, inherit_socket: socket.socket | None = None,
          extra_args: list[str] | None = None, **env) -> subprocess.Popen:
    environment = {**os.environ, "APP_ENV": "production", "DATABASE_URL": database_url, "SECRET_KEY": "t" * 64, "AUDIT_HMAC_KEY": "k" * 64,
                   "WEB_CONCURRENCY": "2", "WEB_THREADS": "8", "LOG_LEVEL": "WARNING", **env}
    command = [GUNICORN, "--config", "deploy/gunicorn.conf.py", *(extra_args or []), "app:create_app()"]
    if inherit_socket is not None:
        # As systemd does: the socket is fd 3 (in the child only: the parent's fd 3 may be pytest's) and
        # LISTEN_PID names the process that may take it (the shell execs gunicorn, keeping its pid).
        fd = inherit_socket.fileno()
        environment.update(LISTEN_FDS="1")
        command = ["sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh", *command]
        log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would block the server's logging
        process = subprocess.Popen(command, cwd=ROOT, env=environment, pass_fds=(3,),
                                   preexec_fn=lambda: os.dup2(fd, 3), stdout=subprocess.DEVNULL,
                                   stderr=log, start_new_session=True)
        port = inherit_socket.getsockname()[1]
    else:
        environment["BIND"] = f"127.0.0.1:{port}"
        log = tempfile.TemporaryFile()
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                                   stderr=log, start_new_session=True)
    process.port, process.log = port, log
    wait_until_serving(process)
    return process


def log_tail(process: subprocess.Popen, size: int = 5000) -> str:
    process.log.seek(0)
    return process.log.read().decode(errors="replace")[-size:]


def wait_until_serving(process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_tail(process)}")
        try:
            if request(process.port, "GET", "/livez", timeout=2)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(30)


def request(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None,
            timeout: float = 30) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def minted_token(app, username: str) -> dict:
    """A bearer token issued through the service, not by logging in: production refuses the demo password
    (services/org/accounts), and these servers run on demo data."""
    from sqlalchemy import select

    from extensions import db
    from models import User
    from services import auth
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        token, _ = auth.issue_token(user)
        db.session.remove()
    return {"Authorization": f"Bearer {token}"}


def token(port: int, username: str) -> dict:
    from demo.county import DEMO_PASSWORD
    status, _, body = request(port, "POST", "/api/v1/tokens", {"username": username, "password": DEMO_PASSWORD})
    assert status == 201, body[:300]
    return {"Authorization": f"Bearer {json.loads(body)['token']}"}
