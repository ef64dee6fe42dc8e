"""Static files: fingerprinted by content and cached for a year by everyone, signed in or not.

`url_for('static', …)` and `url_for('vendor.asset', …)` get `?v=<first 12 hex of the file's SHA-256>`,
so a changed file has a new URL and a browser can keep the old one forever (`immutable`). A request
without the current fingerprint (a stylesheet's relative font URL, an old page) is answered with
`no-cache`: the browser revalidates with the ETag and gets a 304 when nothing changed. Static files hold
nothing personal, so web/ops/headers.py leaves them out of its signed-in `no-store`.
"""
import hashlib
from pathlib import Path

from flask import Flask, request

from web.vendor import NODE_MODULES

STATIC_ENDPOINTS = ("static", "vendor.asset")
LONG = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"

_digests: dict[Path, tuple[float, int, str]] = {}


def fingerprint(path: Path) -> str | None:
    """The file's content hash, recomputed only when its modification time or size changes."""
    try:
        stat = path.stat()
    except OSError:
        return None
    known = _digests.get(path)
    if known and known[:2] == (stat.st_mtime, stat.st_size):
        return known[2]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    _digests[path] = (stat.st_mtime, stat.st_size, digest)
    return digest


def asset_path(app: Flask, endpoint: str, values: dict) -> Path | None:
    if endpoint == "static" and values.get("filename") and app.static_folder:
        return Path(app.static_folder) / values["filename"]
    if endpoint == "vendor.asset" and values.get("name"):
        return NODE_MODULES / values["name"]
    return None


def is_static(endpoint: str | None) -> bool:
    return endpoint in STATIC_ENDPOINTS


def register(app: Flask) -> None:
    @app.url_defaults
    def _fingerprint(endpoint, values):
        if is_static(endpoint) and "v" not in values:
            path = asset_path(app, endpoint, values)
            digest = fingerprint(path) if path else None
            if digest:
                values["v"] = digest

    @app.after_request
    def _cache(response):
        if not is_static(request.endpoint) or response.status_code not in (200, 304):
            return response
        path = asset_path(app, request.endpoint, dict(request.view_args or {}))
        current = fingerprint(path) if path else None
        fresh = current is not None and request.args.get("v") == current
        response.headers["Cache-Control"] = LONG if fresh else REVALIDATE
        response.headers.pop("Expires", None)
        return response
