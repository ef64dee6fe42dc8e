"""Issue 21 with the keyboard only, on a phone: log in, skip to the content, open the menu, complete a joint
inspection; every focused element stays within the visible viewport and out from under the sticky action
bar; after a failed submit the error summary has the focus and its links lead to the fields."""

from demo.county import DEMO_PASSWORD
from extensions import db
from models import Inspection
from tests.browser.conftest import screenshot
from tests.e2e.journey import initiate, open_tasks, plan_and_approve, report_in, scope

# Where the focused element is, and whether a sticky bar covers it (the bar itself excepted).
FOCUS_BOX = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  const covered = [...document.querySelectorAll('.actions')]
    .filter(bar => getComputedStyle(bar).position === 'sticky' && !bar.contains(el))
    .some(bar => { const b = bar.getBoundingClientRect(); return r.bottom > b.top + 1 && r.top < b.bottom - 1; });
  const style = getComputedStyle(el);
  return {tag: el.tagName, outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2, type: el.type || '', name: el.name || '', value: el.value || '', id: el.id,
          text: (el.innerText || '').trim().slice(0, 40), checked: !!el.checked,
          top: r.top, bottom: r.bottom, height: window.innerHeight, covered,
          groupChecked: el.type === 'radio' && !!document.querySelector(`input[name="${el.name}"]:checked`)};
}"""


def _to_inspection(app) -> dict:
    s = scope(app, 1)
    _, campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)
    [task] = open_tasks(app, campaign_id, "joint_inspection")
    return task


def _focused(page, name: str) -> None:
    """The field named `name` has the focus. The browser applies `autofocus` at a rendering step after the page
    has loaded (the headless shell sometimes later than `load`), so this waits for it, up to 5 s."""
    page.wait_for_function("name => document.activeElement && document.activeElement.name === name", arg=name,
                           timeout=5_000)


def _keyboard_login(page, base: str, username: str) -> None:
    page.goto(f"{base}/auth/login")
    _focused(page, "username")  # autofocus: type straight away
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("wrong-password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # A failed login keeps the username and puts the focus in the password field.
    assert page.input_value("input[name=username]") == username
    _focused(page, "password")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/auth/login" not in page.url


def test_phone_inspection_with_the_keyboard_only(app, live_server, phone_page):
    task = _to_inspection(app)
    page = phone_page
    _keyboard_login(page, live_server, task["candidates"][0])

    # The skip link is the first stop and leads past the header to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # The compact phone header: the navigation is behind a labelled menu button.
    page.reload()
    nav = page.locator("#site-nav")
    assert not nav.is_visible()
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "site-nav"
    page.keyboard.press("Enter")
    assert nav.is_visible() and page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    page.screenshot(path=str(screenshot(page, "keyboard-phone-menu")).replace(".png", "-viewport.png"))
    header = page.locator("header.top").bounding_box()
    page.keyboard.press("Enter")
    assert not nav.is_visible()
    assert page.locator("header.top").bounding_box()["height"] < min(header["height"], 0.15 * 844)

    page.goto(f"{live_server}/inbox/tasks/{task['id']}")
    page.locator("body").focus()
    answered, stops, problems = 0, 0, []
    while stops < 400:
        page.keyboard.press("Tab")
        stops += 1
        focus = page.evaluate(FOCUS_BOX)
        where = f"{focus['tag']} {focus['name'] or focus['id'] or focus['text']}"
        if focus["top"] < 0 or focus["bottom"] > focus["height"] or focus["covered"]:
            problems.append(f"{where}: top {focus['top']:.0f} bottom {focus['bottom']:.0f} covered {focus['covered']}")
        if not focus["outline"]:
            problems.append(f"{where}: no visible focus outline")
        if focus["type"] == "radio" and not focus["groupChecked"] and (
                focus["name"].startswith("items.") or focus["name"] == "result_code"):
            page.keyboard.press("Space")  # the first choice: 符合 for an item, 01 未发现问题 overall
            answered += 1
        if focus["tag"] == "BUTTON" and focus["value"] == "sign":
            screenshot(page, "keyboard-phone-before-sign")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
    assert not problems, "\n".join(problems)
    assert answered >= 2 and page.url.endswith("/inbox/"), page.url
    assert "已办理" in page.locator(".flash").first.inner_text()
    with app.app_context():
        inspection = db.session.get(Inspection, task["inspection_id"])
        assert inspection.status == "signed" and inspection.result_code == "01"
        assert {r.result for r in inspection.item_results} == {"pass"}


def test_error_summary_takes_the_focus_and_leads_to_each_field(app, live_server, phone_page):
    task = _to_inspection(app)
    page = phone_page
    _keyboard_login(page, live_server, task["candidates"][0])
    page.goto(f"{live_server}/inbox/tasks/{task['id']}")
    page.locator("button[value=sign]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert summary.bounding_box()["y"] >= 0 and summary.bounding_box()["y"] < 844
    first_link = summary.locator("a").first
    target = first_link.get_attribute("href")[1:]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == f"#{target}"
    page.keyboard.press("Enter")
    focus = page.evaluate(FOCUS_BOX)
    assert focus["type"] == "radio" and focus["name"] == target[2:].replace("-", ".")  # f-items-12-result
    assert 0 <= focus["top"] and focus["bottom"] <= focus["height"] and not focus["covered"]
    group = page.locator(f"#{target}")
    assert group.get_attribute("aria-invalid") == "true"
    message = page.locator("#" + group.get_attribute("aria-describedby"))
    assert message.inner_text().endswith("此项必填")
    screenshot(page, "keyboard-phone-error-summary")
    page.screenshot(path=str(screenshot(page, "keyboard-phone-error-field")).replace(".png", "-viewport.png"))
