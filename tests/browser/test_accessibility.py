"""Issue 21 in a real browser: axe-core (WCAG 2.0/2.1 A+AA) finds no serious or critical violation on any page
of the role journeys, zh-CN and English, desktop and phone; nothing scrolls sideways at 320 CSS px.

The journeys: the public (no login), a supervisor, the lead department's official, an inspector on a
phone (the task form, also after a failed submit), a designer. Each role's pages are its header
navigation plus the pages of one finished campaign and one at joint inspection, and for the lead a complaint
with its handled targeted inspection and an open diagnosis form (built through the services with
tests/factories.py: the pages under test are the ones visited, not the steps before them).
"""
import pytest
from sqlalchemy import select

from extensions import db
from models import Draw
from tests.browser.a11y import axe_violations, same_origin_links
from tests.browser.conftest import PHONE, login
from tests.browser.test_narrow_pages import _complaint, _diagnosis_task
from tests import factories

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
NARROWEST = {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def journeys(app):
    finished, _ = factories.campaign_at(app, "closed", enterprises=2)
    underway, _ = factories.campaign_at(app, "drawn", enterprises=1)
    [task] = factories.open_tasks(app, underway, "joint_inspection")
    with app.app_context():
        draw_id = db.session.scalars(select(Draw.id).where(Draw.campaign_id == finished)).first()
    complaint_id, (diagnosis_task, _) = _complaint(app), _diagnosis_task(app)  # a handled complaint; the transfer form
    campaign = [f"/campaigns/{finished}", f"/campaigns/{underway}", f"/draws/campaign/{finished}"]
    return {
        None: ["/public/", "/verify/", f"/verify/draw/{draw_id}", "/auth/login"],
        "supervisor": campaign + ["/plans/new", f"/reports/campaigns/{finished}/diagnosis", "/reports/review",
                                  f"/reports/campaigns/{finished}/notice", "/dashboard/", "/auth/password"],
        "scjg_01": campaign + [f"/reports/campaigns/{finished}/diagnosis", f"/complaints/{complaint_id}",
                               f"/inbox/tasks/{diagnosis_task}"],
        task["candidates"][0]: [f"/inbox/tasks/{task['id']}", "/inbox/"],
        "designer": ["/designer/"],
    }


def _pages(page, base: str, user, extra: list[str]) -> list[str]:
    if user:
        login(page, base, user)
    page.goto(base + "/")
    nav = same_origin_links(page, base, "header.top")
    return list(dict.fromkeys(extra + [p for p in nav if p not in ("/auth/password",) or user]))


def _audit(browser, base: str, user, extra: list[str], options: dict, lang: str) -> list[str]:
    context = browser.new_context(locale="zh-CN", **options)
    context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    found = []
    try:
        for path in _pages(page, base, user, extra):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            found += [f"{user or 'public'} {lang} {options['viewport']['width']}px {path}: {v}"
                      for v in axe_violations(page)]
            if path.startswith("/inbox/tasks/"):  # the form after a failed submit: the error summary and marks
                page.locator("form.task-form button.primary").click()
                page.wait_for_load_state("networkidle")
                found += [f"{user} {lang} {path} after a failed submit: {v}" for v in axe_violations(page)]
    finally:
        context.close()
    assert not errors, errors
    return found


@pytest.mark.parametrize("options,lang", [(DESKTOP, "zh_CN"), (PHONE, "zh_CN"), (DESKTOP, "en"), (PHONE, "en")],
                         ids=["desktop-zh", "phone-zh", "desktop-en", "phone-en"])
def test_no_serious_or_critical_axe_violation_on_any_journey_page(app, live_server, browser, journeys, options, lang):
    found = []
    for user, extra in journeys.items():
        found += _audit(browser, live_server, user, extra, options, lang)
    assert not found, "\n".join(found)


def test_the_audit_reports_what_it_should(app, live_server, page):
    """The harness itself: axe runs under the CSP and reports a contrast failure put on the page."""
    page.goto(f"{live_server}/public/")
    assert axe_violations(page) == []
    page.evaluate("""() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<p style="color:#b0b0b0;background:#fff">对比度不足的文字</p><input type="text">')""")
    found = " ".join(axe_violations(page))
    assert "color-contrast" in found and "label" in found


def test_tables_stack_before_columns_are_squeezed_at_200_percent_zoom(app, live_server, browser, journeys):
    """1366 px at 200% zoom is 683 CSS px: tables are stacked there, so no cell is a column of single characters."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 683, "height": 400})
    page = context.new_page()
    squeezed = []
    try:
        login(page, live_server, "supervisor")
        for path in journeys["supervisor"] + ["/public/", "/campaigns/"]:
            page.goto(live_server + path)
            squeezed += [f"{path}: {cell}" for cell in page.evaluate("""() => [...document.querySelectorAll('main td, main th')]
                .filter(c => c.offsetParent && !c.closest('.visually-hidden') && c.innerText.trim().length > 2
                        && c.getBoundingClientRect().width < 2.5 * parseFloat(getComputedStyle(c).fontSize))
                .slice(0, 3).map(c => c.innerText.trim().slice(0, 20))""")]
    finally:
        context.close()
    assert not squeezed, "\n".join(squeezed)


def test_nothing_scrolls_sideways_at_320_css_pixels(app, live_server, browser, journeys):
    context = browser.new_context(locale="zh-CN", **NARROWEST)
    page = context.new_page()
    wide = []
    try:
        for user, extra in journeys.items():
            if user:
                login(page, live_server, user)
            for path in extra:
                page.goto(live_server + path)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 320:
                    culprits = page.evaluate("""() => [...document.querySelectorAll('main *')]
                        .filter(e => e.getBoundingClientRect().right > 321).slice(0, 3)
                        .map(e => e.tagName + '.' + e.className)""")
                    wide.append(f"{path}: {width}px {culprits}")
            context.clear_cookies()
    finally:
        context.close()
    assert not wide, "\n".join(wide)
