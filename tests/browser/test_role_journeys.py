"""A journey per role in a real browser, a screenshot of each page, and what each person looks for: the lead official
and the supervisor on a desktop, the partner official and the inspector pair on phones, the public without login.
(The designer's journey is tests/browser/test_designer_browser.py.) State is built through the services
(tests/e2e/journey.py); only the pages under test are clicked."""
from datetime import timedelta

from sqlalchemy import select

from extensions import db
from models import Campaign, Department, Inspection
from services.workflow import clock, timers
from tests.browser.conftest import login, screenshot
from tests.browser.test_field_and_public import _fits_the_phone
from tests.e2e.journey import initiate, open_tasks, plan_and_approve, report_in, scope

RED = "rgb(253, 236, 234)"  # static/app.css .state-overdue fill


def _inspecting(app):
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)
    tasks = open_tasks(app, campaign_id, "joint_inspection")
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        names = {t["inspection_id"]: db.session.get(Inspection, t["inspection_id"]).enterprise for t in tasks}
        info = {"title": campaign.title, "code": campaign.code,
                "enterprises": {i: (e.name, e.uscc) for i, e in names.items()}}
    return s, campaign_id, tasks, info


def test_lead_official_and_supervisor_see_named_tasks_and_the_diagram_turn_red(app, live_server, page):
    s, campaign_id, tasks, info = _inspecting(app)
    names = [name for name, _ in info["enterprises"].values()]

    login(page, live_server, "scjg_01")
    page.goto(f"{live_server}/campaigns/{campaign_id}")
    page.wait_for_selector("#diagram[data-ready=true]")
    rows = page.locator("table.tasks tr.task")
    text = " ".join(rows.all_inner_texts())
    assert all(name in text for name in names) and "个工作日" in text
    zoom = float(page.locator("#diagram").get_attribute("data-zoom"))
    page.get_by_role("button", name="放大").click()
    assert float(page.locator("#diagram").get_attribute("data-zoom")) > zoom
    page.get_by_role("button", name="适应窗口").click()
    assert abs(float(page.locator("#diagram").get_attribute("data-zoom")) - zoom) < 0.05
    box = page.locator("#diagram svg").first.bounding_box()
    assert box["width"] > 600  # fits the container, not a thumbnail
    assert page.locator("#diagram .djs-element.state-overdue").count() == 0
    history = page.locator("section.history li").all_inner_texts()
    assert any("发起联合检查（牵头部门吹哨）" in line for line in history), history
    screenshot(page, "journey-lead-campaign")

    # the clock moves past the inspection deadline: the same rule as the dashboard turns the diagram red
    clock.advance(timedelta(days=40))
    with app.app_context():
        timers.fire_due()
    page.reload()
    page.wait_for_selector("#diagram[data-ready=true]")
    overdue = page.locator("#diagram .djs-element.state-overdue")
    assert overdue.count() >= 1
    fill = page.evaluate("() => getComputedStyle(document.querySelector("
                         "'#diagram .djs-shape.state-overdue .djs-visual > :first-child')).fill")
    assert fill == RED, fill
    assert page.locator("table.tasks tr.task.overdue").count() == len(tasks)
    screenshot(page, "journey-lead-campaign-overdue")

    # an officer of the team: the overdue inspection first in the inbox, marked
    page.context.clear_cookies()
    login(page, live_server, tasks[0]["candidates"][0])
    page.goto(f"{live_server}/inbox/")
    first = page.locator("tr.task").first
    assert "overdue" in first.get_attribute("class") and "已超期" in first.inner_text()
    screenshot(page, "journey-inspector-inbox-overdue")

    # the supervisor: the overdue tasks named on the dashboard, the reminders naming the enterprise
    page.context.clear_cookies()
    login(page, live_server, "supervisor")
    page.get_by_role("link", name="督办看板").click()
    late = page.locator("table.tasks tr.task.overdue")
    assert late.count() >= len(tasks) and all(name in " ".join(late.all_inner_texts()) for name in names)
    screenshot(page, "journey-supervisor-dashboard")
    page.goto(f"{live_server}/notifications/")
    notices = " ".join(page.locator("tr.notice").all_inner_texts())
    assert all(name in notices for name in names) and info["code"] in page.locator("main").inner_text()
    screenshot(page, "journey-supervisor-notifications")


def test_inspector_pair_find_their_enterprise_on_phones(app, live_server, phone_page):
    _, campaign_id, tasks, info = _inspecting(app)
    task = tasks[0]
    name, uscc = info["enterprises"][task["inspection_id"]]
    for n, officer in enumerate(task["candidates"][:2]):
        phone_page.context.clear_cookies()
        login(phone_page, live_server, officer)
        phone_page.goto(f"{live_server}/inbox/")
        card = phone_page.locator(f"tr.task[data-task-id='{task['id']}']")
        text = card.inner_text()
        assert name in text and uscc[-6:] in text and info["title"] in text and "联合检查" in text, text
        assert "共同办理" in text  # a shared team task: claiming is optional
        _fits_the_phone(phone_page, "inbox")
        screenshot(phone_page, f"journey-inspector-{n + 1}-inbox")
        card.get_by_role("link", name="联合检查（录入并签字）").tap()
        phone_page.wait_for_url(f"**/inbox/tasks/{task['id']}")
        assert name in phone_page.locator("p.meta").first.inner_text()
        screenshot(phone_page, f"journey-inspector-{n + 1}-task")


def test_partner_official_reports_in_on_a_phone(app, live_server, phone_page):
    s = scope(app, 2)
    _, campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    task = open_tasks(app, campaign_id, "partner_confirmation")[0]
    with app.app_context():
        department = db.session.get(Department, task["department_id"]).name
        title = db.session.get(Campaign, campaign_id).title
    login(phone_page, live_server, s["partner_users"][task["department_id"]])
    phone_page.goto(f"{live_server}/inbox/")
    card = phone_page.locator(f"tr.task[data-task-id='{task['id']}']")
    assert department in card.inner_text() and title in card.inner_text() and "认领（可选）" in card.inner_text()
    _fits_the_phone(phone_page, "partner inbox")
    screenshot(phone_page, "journey-partner-inbox")
    card.locator("a").first.tap()
    phone_page.wait_for_url(f"**/inbox/tasks/{task['id']}")
    phone_page.get_by_role("radio", name="报到参加").check()
    screenshot(phone_page, "journey-partner-task")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="提交办理").tap()
    assert "已办理" in phone_page.locator(".flash").inner_text()
    screenshot(phone_page, "journey-partner-done")


def test_public_page_without_login(app, live_server, page):
    page.goto(f"{live_server}/public/")
    assert page.get_by_role("link", name="登录").count() == 1
    text = page.locator("main").inner_text()
    assert "信用风险" not in text or "等级" not in text  # no credit-risk class of any enterprise
    page.goto(f"{live_server}/no-such-page")
    assert "页面不存在" in page.locator("main").inner_text() and page.get_by_role("link", name="返回首页").count() == 1
    screenshot(page, "journey-public-404")
