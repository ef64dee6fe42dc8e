"""The enterprise portal on a phone, in a real browser: login with the code read from the outbox, the
item-by-item findings, and an objection to one item; the page never scrolls sideways."""
import re

from sqlalchemy import select

from extensions import db
from models import Enterprise, Inspection, ItemResult, Objection
from tests import factories
from tests.browser.conftest import PHONE, portal_login, screenshot


def _no_sideways_scroll(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], f"{what}: {width}px wide on a {PHONE['viewport']['width']}px phone"


def test_enterprise_logs_in_reads_its_findings_and_objects_on_a_phone(app, live_server, phone_page):
    campaign_id, _ = factories.campaign_at(app, "published", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id,
                                                                 Inspection.result_code == "02")).first()
        inspection_id, enterprise = inspection.id, db.session.get(Enterprise, inspection.enterprise_id)
        uscc, enterprise_id = enterprise.uscc, enterprise.id
        failed = db.session.scalars(select(ItemResult.checklist_item_id).where(
            ItemResult.inspection_id == inspection_id, ItemResult.result == "fail")).first()
    page = phone_page
    portal_login(app, page, live_server, uscc, enterprise_id, lambda login_page: _no_sideways_scroll(login_page, "login"))
    page.click(f"a[href$='/enterprise/inspections/{inspection_id}']")
    page.wait_for_url(re.compile(rf"/enterprise/inspections/{inspection_id}$"))
    assert page.locator("table.findings tr.fail").count() >= 1 and "不符合" in page.inner_text("table.findings")
    _no_sideways_scroll(page, "findings")
    screenshot(page, "portal-phone-findings")
    page.check(f"#item-{failed}")
    page.fill("#reason", "检查当日已现场整改，灭火器已更换，请复核")
    page.click("#objection-form button[type=submit]")
    page.wait_for_load_state()
    assert "异议已提交" in page.inner_text("main") and "待答复" in page.inner_text("main")
    _no_sideways_scroll(page, "after the objection")
    with app.app_context():
        [objection] = db.session.scalars(select(Objection)).all()
        assert objection.inspection_id == inspection_id and objection.item_ids == [failed]
