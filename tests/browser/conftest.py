"""Browser fixtures shared by browser tests: a real werkzeug server thread on a free port over the per-test
SQLite copy (tests/conftest.py `app`), and Debian's chromium-headless-shell driven by Playwright (never downloaded;
`CHROMIUM=/usr/bin/chromium` runs them in the full browser's headless mode instead).

Screenshots go to tests/browser/artifacts/ (gitignored) or $BROWSER_ARTIFACTS at one image pixel per CSS pixel:
enough to see what a page showed, and a phone's full page (device pixel ratio 2) is a quarter of the pixels to
encode, which halves the time the browser tests spend on screenshots.
"""
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from demo.county import DEMO_PASSWORD
from extensions import db
from models import Base, OutboxMessage
from tests.conftest import app_on_copy, close_app

# The headless shell: Blink without the desktop browser around it, what Playwright itself runs headless by default.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium-headless-shell")
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", Path(__file__).resolve().parent / "artifacts"))
BUILD = Path(__file__).resolve().parent.parent.parent / "static" / "build" / "designer.js"


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return (f"browser tests skipped: {CHROMIUM} is not installed; `make test` installs Debian's "
                "chromium-headless-shell when run as root (apt-get install chromium-headless-shell fonts-noto-cjk)")
    if not BUILD.exists():
        return "static/build/designer.js not built (make install runs npm run build)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":  # .ci/run: a missing browser fails, never silently skips
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield instance
        instance.close()


@contextmanager
def serving(app):
    """The app served over HTTP by a real werkzeug server in a thread; gives its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    with serving(app) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def module_app(template_db, tmp_path_factory):
    """One app for all the tests of a module that only look at what its fixtures built (the accessibility
    audits): the state is built once per module and worker instead of once per test."""
    app = app_on_copy(template_db, tmp_path_factory.mktemp("module") / "test.db")
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def module_server(module_app):
    with serving(module_app) as base_url:
        yield base_url


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _page(browser, request, **options):
    context = browser.new_context(locale="zh-CN", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"), full_page=True, scale="css")
    context.close()
    assert not errors, errors


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; JavaScript errors fail the test; a screenshot is kept at the end."""
    yield from _page(browser, request, viewport={"width": 1600, "height": 1000})


@pytest.fixture
def phone_page(browser, request):
    """Like `page`, on a phone: 390×844 CSS pixels (an iPhone 12-14), mobile viewport meta honoured, touch."""
    yield from _page(browser, request, **PHONE)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, scale="css")
    return path


def login(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/auth/login" not in page.url, page.content()[:2000]


def row_counts(app) -> dict[str, int]:
    """Rows per table. A module whose tests share one app (`module_app`) checks at its end that they only
    looked: a test that stores something would change what the tests after it see."""
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def signed_in(browser, base_url: str, username: str) -> dict:
    """`username`'s session as Playwright storage state, signed in once through the login page: a context
    created with it starts signed in, so a test that looks at a role's pages in several contexts (languages,
    viewports) does not sign in again for each."""
    context = browser.new_context(locale="zh-CN")
    try:
        login(context.new_page(), base_url, username)
        return context.storage_state()
    finally:
        context.close()


def portal_login(app, page, base_url: str, uscc: str, enterprise_id: int, on_login_page=None) -> None:
    """An enterprise signs in: its USCC, then the code the outbox holds for it (what its phone would show);
    `on_login_page(page)` runs while the login page is open."""
    page.goto(f"{base_url}/enterprise/login")
    if on_login_page:
        on_login_page(page)
    page.fill("input[name=uscc]", uscc)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/enterprise/login/code$"))
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.enterprise_id == enterprise_id)
                                  .order_by(OutboxMessage.id.desc())).first()
    page.fill("input[name=code]", re.search(r"验证码为 (\d{6})", body).group(1))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/enterprise/$"))
