"""At 375 CSS px (the narrowest common phone), in a real browser: a complaint's page with its targeted
inspection's publication and handling lines, the lead's handling task for a targeted inspection, the period review with its case figures (overall and per
department), and the diagnosis form with a transfer's receiving authority kind (also after the kind was refused).
Nothing scrolls sideways; each page's screenshot is kept in tests/browser/artifacts/."""
from datetime import timedelta

from sqlalchemy import select

from extensions import db
from models import Case, Department
from services.stages import cases
from services.workflow import clock
from tests import factories
from tests.browser.conftest import login, screenshot
from tests.services.test_case_figures import _decide
from tests.services.test_targeted_handling import _published, _row

WIDTH = 375
NARROW = {"viewport": {"width": WIDTH, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _fits(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    culprits = page.evaluate("""w => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > w + 1 && e.getClientRects().length)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.innerText || '').slice(0, 30))""", WIDTH)
    assert width <= WIDTH, f"{what}: {width}px wide at {WIDTH}px; too wide: {culprits}"


def _complaint(app) -> int:
    complaint_id, campaign_id, _ = _published(app)
    [task] = factories.open_tasks(app, campaign_id, "targeted_handling")
    factories.complete(app, "scjg_01", task["id"], {"handling": [_row(
        app, task["id"], handling="case", note="投诉属实，经营者在售过期食品，依法立案查处")]})
    return complaint_id


def _review_period(app) -> str:
    campaign_id = _decide(app, {"handling": "case"})
    _decide(app, {"handling": "transfer", "authority": "蕲春县公安局", "authority_kind": "public_security"})
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.campaign_id == campaign_id)).one()
        code = db.session.get(Department, case.department_id).code
        cases.update_case(factories.user(f"{code}_01"), case.id, procedure="general", status="open",
                          penalty="125000.50", summary=None)
        return (clock.today() - timedelta(days=30)).isoformat()


def _diagnosis_task(app) -> tuple[int, int]:
    campaign_id, _ = factories.campaign_at(app, "published")
    factories.give_opinions(app, campaign_id)
    [task] = factories.open_tasks(app, campaign_id, "diagnosis")
    with app.app_context():
        [row, *_] = factories.tasks.task_form(factories.user("scjg_01"), task["id"]).context.rows["problem_inspections"]
    return task["id"], row.key


def test_complaint_review_and_transfer_kind_fit_a_375px_phone(app, live_server, browser):
    complaint_id, start = _complaint(app), _review_period(app)
    task_id, key = _diagnosis_task(app)
    _, targeted_campaign, _ = _published(app)
    [handling] = factories.open_tasks(app, targeted_campaign, "targeted_handling")
    context = browser.new_context(locale="zh-CN", **NARROW)
    page = context.new_page()
    try:
        login(page, live_server, "scjg_01")
        page.goto(f"{live_server}/complaints/{complaint_id}")
        assert "结果已公示（" in page.inner_text("main") and "立案查处" in page.inner_text("main")
        # Label above value on a phone: the label must not read as one more value.
        assert page.evaluate("""() => { const dt = document.querySelector('main dt'), dd = document.querySelector('main dd');
            return getComputedStyle(dt).color !== getComputedStyle(dd).color; }""")
        screenshot(page, "narrow-375-complaint")
        _fits(page, "complaint page")

        page.goto(f"{live_server}/inbox/tasks/{handling['id']}")
        assert "定向检查的分类处置" in page.inner_text("main") and "因投诉举报" in page.inner_text("main")
        screenshot(page, "narrow-375-targeted-handling")
        _fits(page, "targeted handling task")

        page.goto(f"{live_server}/inbox/tasks/{task_id}")
        page.check(f"[name='handling.{key}.handling'][value='transfer']")
        page.fill(f"[name='handling.{key}.note']", "涉嫌犯罪")
        page.fill(f"[name='handling.{key}.authority']", "某某县公安局")
        page.check(f"[name='handling.{key}.authority_kind'][value='administrative']")
        screenshot(page, "narrow-375-diagnosis-transfer")
        _fits(page, "diagnosis form")
        page.fill("[name='assessment']", "个别企业存在问题")
        page.locator("form.task-form button.primary").click()
        page.wait_for_load_state()
        assert "接收机关「某某县公安局」是公安机关" in page.inner_text("main")
        screenshot(page, "narrow-375-diagnosis-transfer-refused")
        _fits(page, "diagnosis form after the kind was refused")

        context.clear_cookies()
        login(page, live_server, "supervisor")
        page.goto(f"{live_server}/reports/review?start={start}")
        assert "罚没 125000.50 元" in page.inner_text("main")
        cell = page.locator("td.department-cases").first  # stacked: each figure says which column it is
        assert cell.get_attribute("data-label") == "立案/处罚/移送"
        assert page.evaluate("c => getComputedStyle(c, '::before').content", cell.element_handle()) == '"立案/处罚/移送"'
        screenshot(page, "narrow-375-review")
        _fits(page, "period review")
    finally:
        context.close()
