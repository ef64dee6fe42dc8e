"""A designer edits the campaign process in the browser modeler, validates, fixes and deploys version N+1;
a new campaign runs on N+1 while one started before stays on N."""
from sqlalchemy import select

from extensions import db
from models import HumanTask
from services.workflow import deployments
from services.workflow import runtime
from tests.browser.conftest import login, screenshot
from tests.factories import plan_and_approve, scope


def _shape(page, element_id: str):
    return page.locator(f'.djs-element.djs-shape[data-element-id="{element_id}"]')


def _set_field(page, name: str, value: str) -> None:
    field = page.locator(f'#properties [data-field="{name}"]')
    field.fill(value)
    field.press("Tab")  # `change` fires: the panel writes through bpmn-js modeling


def test_designer_edits_validates_and_deploys_a_new_version(app, live_server, page):
    s = scope(app, 2)
    old_campaign = plan_and_approve(app, s)
    with app.app_context():
        n = deployments.latest("campaign").version

    login(page, live_server, "designer")
    page.click("text=流程设计")
    page.locator("tr:has(a:text-is('campaign'))").locator("text=在设计器中打开").click()
    page.wait_for_selector("#modeler[data-ready=true]")
    assert page.locator(".djs-palette").is_visible()
    assert page.locator(".djs-palette [aria-label='创建开始事件']").count() == 1  # zh-CN translations

    # change the initiation task's SLA in the panel
    _shape(page, "initiation").click()
    assert page.locator("#properties[data-element=initiation]").count() == 1
    assert page.locator('#properties [data-field="formKey"]').input_value() == "initiation"
    assert page.locator('#properties [data-field="lane"]').input_value() == "牵头部门"
    _set_field(page, "slaDays", "12")
    page.click("[data-action=save]")
    page.wait_for_selector("#designer-status:has-text('已保存草稿')")
    assert "draft=" in page.url

    # break another element, validate: the error names it and the canvas highlights it
    _shape(page, "diagnosis").click()
    _set_field(page, "slaDays", "十天")
    page.click("[data-action=validate]")
    page.wait_for_selector("#modeler[data-validated=errors]")
    error = page.locator("#findings li.error")
    assert error.count() == 1 and "[diagnosis]" in error.inner_text()
    assert "has-error" in _shape(page, "diagnosis").get_attribute("class")
    screenshot(page, "designer-validation-error")
    page.click("[data-action=deploy]")  # no change note: asked for, nothing sent
    page.wait_for_selector("#designer-status:has-text('请先填写变更说明')")
    assert page.locator("#change-note").get_attribute("aria-invalid") == "true"
    page.fill("#change-note", "发起时限改为 12 个工作日")
    page.on("dialog", lambda dialog: dialog.accept())  # "确定部署？"
    page.click("[data-action=deploy]")  # refused while invalid
    page.wait_for_selector("#designer-status:has-text('个错误')")
    with app.app_context():
        assert deployments.latest("campaign").version == n

    # fix it and deploy N+1
    error.click()  # selects the element
    page.wait_for_selector("#properties[data-element=diagnosis]")
    _set_field(page, "slaDays", "10")
    page.click("[data-action=validate]")
    page.wait_for_selector("#modeler[data-validated=ok]")
    page.click("[data-action=deploy]")
    page.wait_for_selector(f"#modeler[data-deployed='{n + 1}']")
    assert f"正在编辑 v{n + 1}" in page.locator("h1").inner_text()  # the header follows the deploy
    screenshot(page, "designer-deployed")

    with app.app_context():
        newest = deployments.latest("campaign")
        assert newest.version == n + 1
        assert '<spiffworkflow:property name="slaDays" value="12" />' in newest.bpmn_xml
        assert "<bpmn:loopDataInputRef>partner_ids</bpmn:loopDataInputRef>" in newest.bpmn_xml
    new_campaign = plan_and_approve(app, s)
    with app.app_context():
        assert runtime.campaign_instance(old_campaign).definition.version == n
        assert runtime.campaign_instance(new_campaign).definition.version == n + 1
        old_due, new_due = (db.session.scalar(select(HumanTask.due_at).where(
            HumanTask.campaign_id == c, HumanTask.element_id == "initiation")) for c in (old_campaign, new_campaign))
        assert (new_due - old_due).days >= 7  # 12 working days instead of 5

    # the version list shows who deployed, and the heat map draws the old campaign on version N
    page.goto(f"{live_server}/designer/processes/campaign")
    assert page.locator(f"tr:has-text('v{n + 1}')").first.inner_text().count("流程设计员") == 1
    assert "发起时限改为 12 个工作日" in page.locator(f"tr:has-text('v{n + 1}')").first.inner_text()
    screenshot(page, "designer-versions-with-change-notes")
    page.goto(f"{live_server}/designer/processes/campaign/v{n}")
    page.wait_for_selector("#heatmap[data-ready=true]")
    assert page.locator('.heat-badge[data-element="initiation"]').inner_text() == "1"
    screenshot(page, "designer-heat-map")


def test_imported_camunda_file_opens_and_keeps_its_elements(app, live_server, page):
    from pathlib import Path

    from lxml import etree
    source = Path(__file__).resolve().parent.parent / "fixtures" / "bpmn" / "foreign" / "camunda_modeler.bpmn"
    login(page, live_server, "designer")
    page.goto(f"{live_server}/designer/import")
    page.set_input_files("input[name=file]", str(source))
    page.click("main button[type=submit]")
    page.wait_for_selector("#modeler[data-ready=true]")
    assert "draft=" in page.url
    page.click("[data-action=validate]")
    page.wait_for_selector("#modeler[data-validated=errors]")
    assert page.locator("#findings li.warning", has_text="camunda").count() >= 1
    assert "has-error" in _shape(page, "Activity_handle").get_attribute("class")
    saved = page.evaluate("() => window.designer.modeler.saveXML().then(r => r.xml)")
    ids = lambda xml: {e.get("id") for e in etree.fromstring(xml.encode()).iter() if e.get("id")}  # noqa: E731
    assert ids(source.read_text(encoding="utf-8")) <= ids(saved)
    assert 'camunda:assignee="${initiator}"' in saved and "<camunda:inputParameter" in saved
    # English as the alternative language
    page.select_option("[data-action=language]", "en")
    page.wait_for_selector(".djs-palette [aria-label='Create start event']")
    screenshot(page, "designer-import-english")
