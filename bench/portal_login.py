"""Does the answer to an enterprise's login request tell a registered USCC from an unknown one by its timing?

A real werkzeug server (threaded, in process) over a demo database answers POST /enterprise/login; the outbox
channel is a webhook to a local gateway that takes GATEWAY_SECONDS to accept each message, as an SMS gateway
does. Requests alternate between registered USCCs (a code is queued and sent to the gateway) and well-formed
unknown ones (nothing is sent); each is timed by the client from sending the request to reading the whole
answer. The per-USCC limit never trips: every request uses a fresh USCC. Medians and their ratio; the gateway
delay is printed too, so a leak (a registered USCC's answer waiting for the gateway) would show as a ratio far
above 1 and a difference near the delay.

    python -m bench.portal_login
"""
import http.server
import re
import statistics
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

from bench.db import close, make_app
from demo.county import load_demo
from domain.uscc import check_character
from extensions import db
from models import Enterprise
from services.workflow import deployments

GATEWAY_SECONDS = 0.2
ROUNDS = 40  # pairs of (registered, unknown) requests


class _SlowGateway(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 - the stdlib's name
        self.received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        time.sleep(GATEWAY_SECONDS)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _serve(server) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def unknown_usccs(count: int) -> list[str]:
    """Well-formed USCCs (valid check character) that the demo directory does not hold."""
    out = []
    for n in range(count):
        body = f"91310115MA{n:07d}"
        out.append(body + check_character(body))
    return out


def _ask(base: str, uscc: str) -> float:
    """Seconds from sending one login request to having read its whole answer (a fresh browser each time)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()),
                                         _NoRedirect())
    page = opener.open(f"{base}/enterprise/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "uscc": uscc}).encode()
    start = time.perf_counter()
    try:
        opener.open(f"{base}/enterprise/login", data=data).read()
    except urllib.error.HTTPError as answer:  # the 302 to the code page, not followed
        answer.read()
        if answer.code != 302:
            raise
    return time.perf_counter() - start


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def rows() -> list[tuple[str, str, str]]:
    gateway = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowGateway)
    _serve(gateway)
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as tmp:
        app = make_app(Path(tmp) / "portal.db")
        app.config.update(OUTBOX_CHANNEL="webhook", PORTAL_CODES_PER_CLIENT_HOUR=10 ** 6,
                          OUTBOX_WEBHOOK_URL=f"http://127.0.0.1:{gateway.server_port}/sms")
        with app.app_context():
            upgrade()
            deployments.deploy_bundled()
            load_demo(enterprises=400)
            known = db.session.scalars(select(Enterprise.uscc).where(Enterprise.contact_mobile.is_not(None))
                                       .order_by(Enterprise.id).limit(ROUNDS)).all()
            db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        _serve(server)
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            timings = {"registered": [], "unknown": []}
            for registered, unknown in zip(known, unknown_usccs(len(known))):
                timings["registered"].append(_ask(base, registered))
                timings["unknown"].append(_ask(base, unknown))
            time.sleep(GATEWAY_SECONDS * 2)  # the last code is still with the gateway
        finally:
            server.shutdown()
            gateway.shutdown()
            close(app)
    assert len(_SlowGateway.received) == len(known), "every registered USCC's code reaches the gateway"
    registered, unknown = (statistics.median(timings[k]) * 1000 for k in ("registered", "unknown"))
    return [(f"enterprise login answer: registered vs unknown USCC (gateway {GATEWAY_SECONDS * 1000:.0f} ms, "
             f"median of {len(known)} each, {len(_SlowGateway.received)} codes sent)",
             f"{registered:.1f} / {unknown:.1f} ms = {registered / unknown:.2f}×",
             f"ratio < 1.5 and difference ≪ {GATEWAY_SECONDS * 1000:.0f} ms")]


if __name__ == "__main__":
    for row in rows():
        print(" | ".join(row))
