"""Bytes a browser transfers for the campaign page (with its diagram viewer), first and second visit.

A signed-in supervisor opens a demo campaign's page twice. The client behaves as a browser's HTTP cache
does: it sends `Accept-Encoding: gzip, deflate, br`; on the second visit a subresource still fresh
(max-age, immutable) is not requested at all, one marked no-cache is revalidated with its ETag (a 304 has no
body), and the page itself (no-store: it names the person) is fetched again. Transferred = response
bodies as sent (compressed) plus their header lines. The same first visit without compression shows
what compression saves.

    python -m bench.transfer
"""
import gzip
import re
import tempfile
import zlib
from pathlib import Path

import brotli

from flask_migrate import upgrade
from sqlalchemy import select

from bench.db import close, make_app
from demo.county import DEMO_PASSWORD, load_demo
from demo.simulate import simulate
from extensions import db
from models import Campaign
from services.workflow import deployments

BROWSER = {"Accept-Encoding": "gzip, deflate, br"}
# Stylesheets and scripts, and what the diagram script fetches (its BPMN XML and element states).
SUBRESOURCE = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+)"|data-(?:xml|states)="([^"]+)"')
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress, "deflate": zlib.decompress}


def _size(response) -> int:
    headers = sum(len(k) + len(v) + 4 for k, v in response.headers.items())
    return len(response.get_data()) + headers


def _fresh(cache_control: str) -> bool:
    return "immutable" in cache_control or bool(re.search(r"max-age=[1-9]", cache_control))


def visit(client, url: str, cache: dict[str, tuple[str, str]], headers: dict) -> int:
    """One page view: the page and each subresource it names, through `cache` (url → (cache-control, etag))."""
    page = client.get(url, headers=headers)
    total = _size(page)
    body = page.get_data()
    html = DECODE.get(page.headers.get("Content-Encoding"), lambda b: b)(body).decode()
    for found in SUBRESOURCE.findall(html):
        asset = "".join(found).replace("&amp;", "&")
        known = cache.get(asset)
        if known and _fresh(known[0]):
            continue  # served from the browser's cache: nothing on the wire
        conditional = {"If-None-Match": known[1]} if known and known[1] else {}
        response = client.get(asset, headers={**headers, **conditional})
        total += _size(response)
        if response.status_code == 200:
            cache[asset] = (response.headers.get("Cache-Control", ""), response.headers.get("ETag", ""))
    return total


def rows() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-transfer-") as tmp:
        app = make_app(Path(tmp) / "transfer.db")
        with app.app_context():
            upgrade()
            deployments.deploy_bundled()
            load_demo(enterprises=400)
            simulate(4, say=lambda _: None, seed=1, until="联合检查")
            campaign_id = db.session.scalars(select(Campaign.id)).first()
        url = f"/campaigns/{campaign_id}"
        measured = {}
        for label, headers in (("compressed", BROWSER), ("identity", {"Accept-Encoding": "identity"})):
            client = app.test_client()
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/auth/login").get_data(as_text=True))
            client.post("/auth/login", data={"csrf_token": token.group(1), "username": "supervisor",
                                             "password": DEMO_PASSWORD})
            cache: dict = {}
            measured[label] = (visit(client, url, cache, headers), visit(client, url, cache, headers))
        close(app)
    first, second = measured["compressed"]
    return [("campaign page, first visit (KB transferred, compressed)", f"{first / 1024:.0f}", ""),
            ("campaign page, second visit (KB transferred; assets from the browser cache)", f"{second / 1024:.0f}", ""),
            ("campaign page, first visit without compression (KB)", f"{measured['identity'][0] / 1024:.0f}", "")]


if __name__ == "__main__":
    for metric, value, target in rows():
        print(f"{metric}: {value} {target}")
