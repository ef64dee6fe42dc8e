"""Helpers for the accessibility browser tests: axe-core in the page, the pages of each role's journey.

axe-core comes from npm, bundled into static/build/axe.js by scripts/build-frontend.mjs and loaded from
the app's own origin, so it runs under the app's real Content-Security-Policy (script-src 'self').
"""
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "static" / "build" / "axe.js"
# WCAG 2.0/2.1 level A and AA rules; the issue asks for no serious or critical violation of these.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def axe_violations(page) -> list[str]:
    """Serious and critical WCAG A/AA violations on the page as shown now, one line per rule."""
    if not AXE.is_file():
        pytest.fail("static/build/axe.js missing: `npm run build` (make install) bundles axe-core")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/build/axe.js")
    result = page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                          resultTypes: ['violations']})""", TAGS)
    return [f"{v['impact']} {v['id']}: {v['help']} — "
            + "; ".join(" ".join(n["target"]) + " " + (n.get("failureSummary") or "").replace("\n", " ")[:160]
                        for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in BLOCKING]


def same_origin_links(page, base_url: str, selector: str) -> list[str]:
    """Paths of the links inside `selector` that stay on the site (no downloads, no language switch, no logout)."""
    hrefs = page.eval_on_selector_all(selector + " a[href]", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        if not href.startswith(base_url):
            continue
        path = href[len(base_url):].split("#")[0]
        if path and not path.startswith("/lang") and not path.endswith((".xlsx", ".json", ".pdf")) and path not in out:
            out.append(path)
    return out
