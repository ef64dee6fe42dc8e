"""Issue 21 in a real browser: axe-core (WCAG 2.0/2.1 A+AA) finds no serious or critical violation on any page
of the role journeys, zh-CN and English, desktop and phone; nothing scrolls sideways at 320 CSS px.

The journeys: the public (no login), a supervisor, the lead department's official, an inspector on a
phone (the task form, also after a failed submit), a designer. Each role's pages are its header
navigation plus the pages of one finished campaign and one at joint inspection, and for the lead a complaint
with its handled targeted inspection and an open diagnosis form (built through the services with
tests/factories.py: the pages under test are the ones visited, not the steps before them).
"""
from typing import NamedTuple

import pytest
from sqlalchemy import select

from extensions import db
from models import Draw
from tests.browser.a11y import audit_context, axe_violations, open_ready, same_origin_links, submit_ready
from tests.browser.conftest import PHONE, row_counts, signed_in
from tests.browser.test_narrow_pages import _complaint, _diagnosis_task
from tests import factories

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
NARROWEST = {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
VARIANTS = {"desktop-zh": (DESKTOP, "zh_CN"), "phone-zh": (PHONE, "zh_CN"),
            "desktop-en": (DESKTOP, "en"), "phone-en": (PHONE, "en")}
ROLES = ("public", "supervisor", "lead", "inspector", "designer")


class Journey(NamedTuple):
    user: str | None
    extra: list[str]  # the campaign pages of this role
    pages: list[str]  # those and the role's header navigation
    session: dict | None  # Playwright storage state, signed in


def _journey(browser, base: str, user: str | None, extra: list[str]) -> Journey:
    session = signed_in(browser, base, user) if user else None
    context = browser.new_context(locale="zh-CN", storage_state=session)
    try:
        page = context.new_page()
        page.goto(base + "/")
        nav = same_origin_links(page, base, "header.top")
    finally:
        context.close()
    return Journey(user, extra, list(dict.fromkeys(extra + [p for p in nav if p not in ("/auth/password",) or user])),
                   session)


@pytest.fixture(scope="module")
def site(module_app, module_server, browser):
    """The campaigns and each role's journey, built once for the module: the audits only look (a refused
    submit stores nothing), so every language and viewport sees the same state."""
    app = module_app
    finished, _ = factories.campaign_at(app, "closed", enterprises=2)
    underway, _ = factories.campaign_at(app, "drawn", enterprises=1)
    [task] = factories.open_tasks(app, underway, "joint_inspection")
    with app.app_context():
        draw_id = db.session.scalars(select(Draw.id).where(Draw.campaign_id == finished)).first()
    complaint_id, (diagnosis_task, _) = _complaint(app), _diagnosis_task(app)  # a handled complaint; the transfer form
    campaign = [f"/campaigns/{finished}", f"/campaigns/{underway}", f"/draws/campaign/{finished}"]
    journeys = {  # by role: the inspector may be scjg_01 too, and then has both journeys
        "public": (None, ["/public/", "/verify/", f"/verify/draw/{draw_id}", "/auth/login"]),
        "supervisor": ("supervisor", campaign + ["/plans/new", f"/reports/campaigns/{finished}/diagnosis",
                                                 "/reports/review", f"/reports/campaigns/{finished}/notice",
                                                 "/dashboard/", "/auth/password"]),
        "lead": ("scjg_01", campaign + [f"/reports/campaigns/{finished}/diagnosis", f"/complaints/{complaint_id}",
                                       f"/inbox/tasks/{diagnosis_task}"]),
        "inspector": (task["candidates"][0], [f"/inbox/tasks/{task['id']}", "/inbox/"]),
        "designer": ("designer", ["/designer/"]),
    }
    roles = {role: _journey(browser, module_server, user, extra) for role, (user, extra) in journeys.items()}
    before = row_counts(app)
    yield module_server, roles
    assert row_counts(app) == before, "an audit stored something: the tests after it saw another state"


def _audit(page, base: str, journey: Journey, options: dict, lang: str) -> list[str]:
    where = f"{journey.user or 'public'} {lang} {options['viewport']['width']}px"
    found = []
    for path in journey.pages:
        open_ready(page, base + path)
        found += [f"{where} {path}: {v}" for v in axe_violations(page)]
        if path.startswith("/inbox/tasks/"):  # the form after a failed submit: the error summary and marks
            submit_ready(page, page.locator("form.task-form button.primary"))
            found += [f"{where} {path} after a failed submit: {v}" for v in axe_violations(page)]
    return found


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_no_serious_or_critical_axe_violation_on_any_journey_page(browser, site, variant, role):
    base, journeys = site
    options, lang = VARIANTS[variant]
    with audit_context(browser, base, options, lang, journeys[role].session) as page:
        found = _audit(page, base, journeys[role], options, lang)
    assert not found, "\n".join(found)


def _spoil(page) -> None:
    page.evaluate("""() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<p style="color:#b0b0b0;background:#fff">对比度不足的文字</p><input type="text">')""")


def test_the_audit_reports_what_it_should(browser, site, page):
    """The harness itself: axe loaded by the page under its CSP, and axe in an audit context after the campaign
    diagram has been drawn, each report a contrast failure and an unlabelled field put on the page."""
    base, journeys = site
    page.goto(f"{base}/public/")
    assert axe_violations(page) == []
    _spoil(page)
    found = " ".join(axe_violations(page))
    assert "color-contrast" in found and "label" in found

    supervisor = journeys["supervisor"]
    with audit_context(browser, base, DESKTOP, "zh_CN", supervisor.session) as audited:
        open_ready(audited, base + supervisor.extra[0])
        assert audited.locator("#diagram").get_attribute("data-ready") == "true"
        assert axe_violations(audited) == []
        _spoil(audited)
        found = " ".join(axe_violations(audited))
    assert "color-contrast" in found and "label" in found


def test_tables_stack_before_columns_are_squeezed_at_200_percent_zoom(browser, site):
    """1366 px at 200% zoom is 683 CSS px: tables are stacked there, so no cell is a column of single characters."""
    base, journeys = site
    context = browser.new_context(locale="zh-CN", viewport={"width": 683, "height": 400},
                                  storage_state=journeys["supervisor"].session)
    page = context.new_page()
    squeezed = []
    try:
        for path in journeys["supervisor"].extra + ["/public/", "/campaigns/"]:
            page.goto(base + path)
            squeezed += [f"{path}: {cell}" for cell in page.evaluate("""() => [...document.querySelectorAll('main td, main th')]
                .filter(c => c.offsetParent && !c.closest('.visually-hidden') && c.innerText.trim().length > 2
                        && c.getBoundingClientRect().width < 2.5 * parseFloat(getComputedStyle(c).fontSize))
                .slice(0, 3).map(c => c.innerText.trim().slice(0, 20))""")]
    finally:
        context.close()
    assert not squeezed, "\n".join(squeezed)


def test_nothing_scrolls_sideways_at_320_css_pixels(browser, site):
    base, journeys = site
    wide = []
    for journey in journeys.values():
        context = browser.new_context(locale="zh-CN", storage_state=journey.session, **NARROWEST)
        page = context.new_page()
        try:
            for path in journey.extra:
                page.goto(base + path)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 320:
                    culprits = page.evaluate("""() => [...document.querySelectorAll('main *')]
                        .filter(e => e.getBoundingClientRect().right > 321).slice(0, 3)
                        .map(e => e.tagName + '.' + e.className)""")
                    wide.append(f"{path}: {width}px {culprits}")
        finally:
            context.close()
    assert not wide, "\n".join(wide)
