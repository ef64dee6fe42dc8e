"""Helpers for the accessibility browser tests: axe-core in the page, the pages of each role's journey.

axe-core comes from npm, bundled into static/build/axe.js by scripts/build-frontend.mjs. A page opened by
the `page` fixture loads it from the app's own origin, under the app's real Content-Security-Policy
(script-src 'self'); an audit context (`audit_context`) has the browser evaluate it in every document it
opens, before the page's own scripts, so a page of a long journey costs no extra request and compile.
"""
from contextlib import contextmanager
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "static" / "build" / "axe.js"
# WCAG 2.0/2.1 level A and AA rules; the issue asks for no serious or critical violation of these.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
# A page is as the person sees it once it has loaded (stylesheets, scripts, images) and each drawing a script
# fetches for itself (a container with data-xml: the campaign diagram, the designer's canvas) has been drawn
# (data-ready) or replaced by its failure message. Waiting for this instead of 500 ms without network traffic
# after every page is most of what the audits spend less.
READY = """() => document.readyState === 'complete' && [...document.querySelectorAll('[data-xml]')].every(
    el => el.dataset.ready === 'true' || (!el.querySelector('svg') && el.textContent.trim() !== ''))"""


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


@contextmanager
def audit_context(browser, base_url: str, options: dict, lang: str, storage_state: dict | None = None):
    """A page in a new context (viewport `options`, UI language `lang`, signed in with `storage_state`) with
    axe-core in every document; a JavaScript error on any page fails the test."""
    if not AXE.is_file():
        pytest.fail("static/build/axe.js missing: `npm run build` (make install) bundles axe-core")
    context = browser.new_context(locale="zh-CN", storage_state=storage_state, **options)
    context.add_cookies([{"name": "lang", "value": lang, "url": base_url}])
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


def wait_until_ready(page) -> None:
    if not page.evaluate(READY):  # most pages are ready once loaded: one round trip, no poller installed
        page.wait_for_function(READY)


def open_ready(page, url: str) -> None:
    page.goto(url)
    wait_until_ready(page)


def submit_ready(page, button) -> None:
    """Click a submit button and wait for the answer's page to be ready."""
    with page.expect_navigation():
        button.click()
    wait_until_ready(page)


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
