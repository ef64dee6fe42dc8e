"""Static files: fingerprinted URLs, cached a year by everyone (signed in too), compressed when the client
accepts it; pages showing personal data stay no-store (issue 21)."""
import gzip
import re
import zlib
from pathlib import Path

import brotli

from tests.conftest import login
from web.ops.assets import fingerprint

ROOT = Path(__file__).resolve().parents[2]


def _decode(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    assert encoding is None, encoding
    return body


def test_signed_in_user_gets_fingerprinted_long_lived_compressed_assets(client):
    login(client, "scjg_01")
    page = client.get("/inbox/", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"  # the page names the person: never cached
    assert page.headers["Content-Encoding"] in ("br", "gzip")
    html = _decode(page).decode()
    css = re.search(r'href="(/static/app\.css\?v=([0-9a-f]{12}))"', html)
    assert css and css.group(2) == fingerprint(ROOT / "static" / "app.css")
    assert re.search(r'src="/static/site\.js\?v=[0-9a-f]{12}"', html)

    asset = client.get(css.group(1), headers={"Accept-Encoding": "br, gzip"})
    assert asset.status_code == 200
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert asset.headers["Content-Encoding"] == "br"
    assert _decode(asset) == (ROOT / "static" / "app.css").read_bytes()
    assert "Accept-Encoding" in asset.headers["Vary"]

    plain = client.get(css.group(1))  # a client that accepts no compression gets the file as it is
    assert "Content-Encoding" not in plain.headers and plain.get_data() == (ROOT / "static" / "app.css").read_bytes()


def test_an_old_or_missing_fingerprint_is_revalidated_not_kept(client):
    for url in ("/static/app.css", "/static/app.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "public, no-cache", url
        etag = response.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304


def test_vendor_packages_are_fingerprinted_and_cached_for_anonymous_visitors_too(client, app):
    with app.test_request_context():
        from flask import url_for
        url = url_for("vendor.asset", name="bpmn-js/dist/bpmn-navigated-viewer.production.min.js")
    assert re.search(r"\?v=[0-9a-f]{12}$", url)
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    original = (ROOT / "node_modules" / "bpmn-js/dist/bpmn-navigated-viewer.production.min.js").read_bytes()
    body = _decode(response)
    assert body == original and len(response.get_data()) < len(original) / 2


def test_a_changed_file_gets_a_new_fingerprint(tmp_path):
    asset = tmp_path / "x.css"
    asset.write_text("a { color: red }")
    first = fingerprint(asset)
    asset.write_text("a { color: blue; }")
    assert fingerprint(asset) != first and len(first) == 12
