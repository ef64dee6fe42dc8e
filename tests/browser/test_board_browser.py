"""The board in a real browser: the wall screen at 1920×1080 refreshes itself and draws an overdue stage red
with its figure in the table; the desk mode on a phone stacks legibly."""
from datetime import timedelta

from services.workflow import clock
from tests import factories
from tests.browser.conftest import PHONE, login, screenshot


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(float(x)) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])


def test_wall_screen_refreshes_and_shows_the_overdue_stage_red(app, live_server, browser, request):
    campaign_id, _ = factories.campaign_at(app, "planned", enterprises=2)
    clock.advance(timedelta(days=12))
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    wall = context.new_page()
    wall.set_default_timeout(15_000)
    errors: list[str] = []
    wall.on("pageerror", lambda exc: errors.append(str(exc)))
    login(wall, live_server, "screen")
    wall.goto(f"{live_server}/board/wall?refresh=2")
    first = wall.locator(".wall-panel").get_attribute("data-updated")
    wall.wait_for_function("(first) => document.querySelector('.wall-panel').dataset.updated !== first", arg=first)
    cell = wall.locator(f"tr:has(a[href='/campaigns/{campaign_id}']) td[data-stage=initiation]")
    assert cell.get_attribute("data-state") == "late"
    red, green, blue = _rgb(cell.locator(".fill").evaluate("e => getComputedStyle(e).backgroundColor"))
    assert red > 200 and green < 140 and blue < 140  # drawn red
    assert "超时" in cell.inner_text() and "/ 5" in cell.inner_text()  # its figure, in the table itself
    assert wall.locator("table.timelines caption").count() == 1
    screenshot(wall, "board-wall-1920")
    context.close()
    assert not errors, errors


def test_desk_board_on_a_phone(app, live_server, browser):
    factories.campaign_at(app, "planned", enterprises=2)
    clock.advance(timedelta(days=12))
    context = browser.new_context(locale="zh-CN", **PHONE)
    phone = context.new_page()
    login(phone, live_server, "supervisor")
    phone.goto(f"{live_server}/board/")
    assert phone.locator("h1").inner_text() == "时限看板"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing scrolls sideways: rows stack, each cell names its column
    assert phone.locator("td.state-late").first.is_visible()
    screenshot(phone, "board-desk-phone")
    context.close()
