"""A designer opens the deployed grade table in dmn-js, validates it, edits a cell and deploys version 2."""
from services.workflow import deployments
from tests.browser.conftest import login, screenshot


def test_designer_validates_and_deploys_a_decision_version(app, live_server, page):
    login(page, live_server, "designer")
    page.click("text=流程设计")
    page.locator("tr:has(a:text-is('grade'))").locator("text=查看、校验、部署新版本").click()
    page.wait_for_selector("#dmn[data-ready=true]")
    assert page.locator("text=v1（最新）").count() == 1
    page.click("[data-action=validate-dmn]")
    page.wait_for_selector("#dmn[data-validated=ok]")
    assert page.locator("#findings li.ok").inner_text() == "校验通过，可以部署"

    page.on("dialog", lambda dialog: dialog.accept())
    cell = page.locator('td[data-element-id="r1_handling"]')
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type('"transfer"')
    page.locator("h1").click()  # leave the cell: dmn-js commits the edit
    page.click("[data-action=deploy-dmn]")
    page.wait_for_url("**/designer/decisions/grade?version=2")
    page.wait_for_selector("#dmn[data-ready=true]")
    screenshot(page, "decision-v2")
    assert page.locator("text=v2（最新）").count() == 1
    with app.app_context():
        definition, _ = deployments.latest_decision("grade")
        assert definition.version == 2 and '"transfer"' in definition.bpmn_xml
