"""In the field and in public, in a real browser: an official claims and completes a joint inspection on a
phone (draft, reload, evidence, signature), a second matched officer countersigns; the lead department
publishes; the public page (no login) shows the result and nothing internal; a supervisor filters the
dashboard and sees the campaign's diagram with its states.

The campaign is brought to each stage over HTTP (tests/e2e/journey.py); only the parts under test go
through the browser. Screenshots of each page go to tests/browser/artifacts/.
"""
from datetime import timedelta

from sqlalchemy import select

from extensions import db
from models import Campaign, Evidence, Inspection, User
from services.workflow import clock
from services.stages.inspections import checklist_rows
from tests.browser.conftest import PHONE, login, screenshot
from tests.e2e.journey import inspection_fields, open_tasks, sign_off, submit, user_client
from tests.factories import initiate, plan_and_approve, report_in, scope

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FINDING = "灭火器压力不足-内部说明"
SUMMARY = "现场检查情况-内部记录"
MIN_TOUCH = 44  # px, the usual minimum touch target height (Apple HIG; WCAG 2.5.5 asks for 44 CSS px)


def _to_inspection(app, enterprises: int = 2) -> tuple[dict, int]:
    s = scope(app, enterprises)
    campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)  # the last partner declines: lead + 2 partners inspect
    return s, campaign_id


def _fits_the_phone(page, what: str) -> None:
    width = PHONE["viewport"]["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1 && e.getClientRects().length)
        .slice(0, 5).map(e => e.tagName + '.' + e.className)""", width)
    assert scroll_width <= width, f"{what}: page {scroll_width}px wide on a {width}px phone; too wide: {wide}"


def _heights(locator) -> list[float]:
    return [box["height"] for box in (e.bounding_box() for e in locator.element_handles()) if box]


def _touchable(locator, what: str) -> None:
    heights = _heights(locator)
    assert heights, f"{what}: nothing found"
    assert min(heights) >= MIN_TOUCH, f"{what}: touch target {min(heights):.0f}px high (< {MIN_TOUCH}px)"


def _wrapped(locator) -> list[str]:
    """The texts of these elements that the browser broke over more than one line."""
    return locator.evaluate_all("""els => els.filter(el => [...el.childNodes].some(n => {
        if (n.nodeType !== Node.TEXT_NODE || !n.textContent.trim()) { return false; }
        const range = document.createRange();
        range.selectNodeContents(n);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
    })).map(el => el.textContent.trim())""")


def _search_bar_usable(page) -> None:
    box = page.get_by_label("企业名称或统一社会信用代码").bounding_box()
    assert box["width"] >= 200, f"the search field is {box['width']:.0f}px wide"
    assert _wrapped(page.get_by_role("button", name="查询")) == []


def _item_rows(page):
    return page.locator("fieldset.rows .row-item")


def _choose(row_or_page, name: str) -> None:
    row_or_page.get_by_role("radio", name=name, exact=True).tap()


def test_official_inspects_on_a_phone_and_a_second_officer_countersigns(app, live_server, phone_page, page, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    _, campaign_id = _to_inspection(app)
    tasks = open_tasks(app, campaign_id, "joint_inspection")
    task, other = tasks
    first, second = task["candidates"][0], task["candidates"][1]
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        items = checklist_rows(campaign)
        departments = [d.department.name for d in campaign.departments if d.status == "confirmed"]
        group_order = list(dict.fromkeys(i.matter.department.name for i in items))
        enterprise = db.session.get(Inspection, task["inspection_id"]).enterprise
        uscc, enterprise_name = enterprise.uscc, enterprise.name
        names = {u.username: u.display_name for u in db.session.scalars(
            select(User).where(User.username.in_(task["candidates"])))}

    # --- the first officer, on a phone: inbox, claim ---
    phone = phone_page
    login(phone, live_server, first)
    phone.goto(f"{live_server}/inbox/")
    row = phone.locator("tr", has=phone.locator(f"a[href='/inbox/tasks/{task['id']}']"))
    claim = row.get_by_role("button", name="认领")
    _touchable(claim, "认领")
    _fits_the_phone(phone, "inbox")
    screenshot(phone, "phone-1-inbox")
    claim.tap()
    phone.wait_for_url(f"**/inbox/tasks/{task['id']}")
    assert "已认领" in phone.locator(".flash").inner_text()

    # --- the inspection form: grouped by department, 符合/不符合/不涉及 per item ---
    assert phone.locator("h3.group").all_inner_texts() == group_order
    assert sorted(group_order) == sorted(departments)  # every confirmed department's checks, nobody else's
    rows = _item_rows(phone)
    assert rows.count() == len(items)
    for i in (0, len(items) - 1):
        assert [rows.nth(i).get_by_role("radio", name=n, exact=True).count() for n in ("符合", "不符合", "不涉及")] == [1] * 3
    assert phone.get_by_role("radiogroup", name="检查结果").get_by_role("radio").count() == 10
    assert phone.get_by_role("radiogroup", name="检查方式").get_by_role("radio", name="实地检查").count() == 1
    assert phone.get_by_label("检查日期").input_value() == clock.today().isoformat()
    assert enterprise_name in phone.locator("main").inner_text()
    _fits_the_phone(phone, "inspection form")
    _touchable(phone.locator("fieldset.rows .options.choice .option"), "item result options")
    _touchable(phone.locator(".inspection-form .field .options.choice .option"), "overall result and method options")
    _touchable(phone.locator(".inspection-form .actions button"), "save/sign buttons")
    assert _wrapped(phone.locator("fieldset.rows .options.choice .option")) == [], "符合/不符合/不涉及 break over lines"
    screenshot(phone, "phone-2-inspection-form")

    # --- half the checklist, a finding with a note and a photo, then 保存草稿; reload: all still there ---
    half = len(items) // 2
    _choose(rows.first, "不符合")
    rows.first.get_by_role("textbox", name="说明").fill(FINDING)
    rows.first.locator("input[type=file]").set_input_files(
        files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}])
    for i in range(1, half):
        _choose(rows.nth(i), "符合")
    _choose(rows.nth(half), "不涉及")
    with phone.expect_navigation():  # posts the form, files included, and comes back to the task
        phone.get_by_role("button", name="保存草稿").tap()
    assert "草稿已保存" in phone.locator(".flash").inner_text()
    phone.reload()
    rows = _item_rows(phone)
    assert rows.first.get_by_role("radio", name="不符合", exact=True).is_checked()
    assert rows.first.get_by_role("textbox", name="说明").input_value() == FINDING
    assert rows.first.locator("a.evidence-file").inner_text() == "现场照片.png"
    assert all(rows.nth(i).get_by_role("radio", name="符合", exact=True).is_checked() for i in range(1, half))
    assert rows.nth(half).get_by_role("radio", name="不涉及", exact=True).is_checked()
    assert not rows.nth(half + 1).locator("input:checked").count()
    assert "草稿保存于" in phone.locator(".draft-status").inner_text()

    # autosave (static/inspection.js): a change is kept on the server without pressing a button
    _choose(phone.get_by_role("radiogroup", name="检查结果"), "02 发现问题待后续处理")
    phone.wait_for_selector(".draft-status:has-text('草稿已自动保存')")
    phone.reload()
    assert phone.get_by_role("radio", name="02 发现问题待后续处理").is_checked()
    screenshot(phone, "phone-3-draft-reloaded")

    # --- the rest, overall result, method, then the first signature ---
    rows = _item_rows(phone)
    for i in range(half + 1, len(items)):
        _choose(rows.nth(i), "符合")
    _choose(phone.get_by_role("radiogroup", name="问题所属领域（发现问题时必填）"), "违反其他部门监管规定")
    _choose(phone.get_by_role("radiogroup", name="检查方式"), "实地检查")
    phone.get_by_label("检查情况").fill(SUMMARY)
    screenshot(phone, "phone-4-before-signing")
    phone.get_by_role("button", name="提交并签字").tap()
    phone.wait_for_url("**/inbox/")
    assert "已办理" in phone.locator(".flash").inner_text()
    _fits_the_phone(phone, "inbox after signing")
    with app.app_context():
        inspection = db.session.get(Inspection, task["inspection_id"])
        assert inspection.status != "submitted" and len(inspection.signoffs) == 1  # one signature is not final

    # --- the second matched officer countersigns on the phone: the record comes prefilled ---
    [countersign] = [t for t in open_tasks(app, campaign_id, "joint_inspection") if t["inspection_id"] == task["inspection_id"]]
    assert first not in countersign["candidates"] and second in countersign["candidates"]
    phone.context.clear_cookies()
    login(phone, live_server, second)
    phone.goto(f"{live_server}/inbox/tasks/{countersign['id']}")
    assert names[first] in phone.locator("main section.card").first.inner_text()  # 签字：<first officer> …
    rows = _item_rows(phone)
    assert rows.first.get_by_role("radio", name="不符合", exact=True).is_checked()
    assert phone.get_by_role("radio", name="02 发现问题待后续处理").is_checked()
    _fits_the_phone(phone, "countersign form")
    screenshot(phone, "phone-5-countersign")
    phone.get_by_role("button", name="复核并签字").tap()
    phone.wait_for_url("**/inbox/")
    with app.app_context():
        inspection = db.session.get(Inspection, task["inspection_id"])
        assert inspection.status == "submitted"  # final and locked: two distinct matched officers signed
        assert sorted(so.user.username for so in inspection.signoffs) == sorted([first, second])
        assert inspection.result_code == "02" and inspection.problem_domain == "07" and inspection.method == "实地检查"
        by_item = {r.checklist_item_id: r.result for r in inspection.item_results}
        assert by_item[items[0].id] == "fail" and by_item[items[half].id] == "na"
        assert sum(r == "pass" for r in by_item.values()) == len(items) - 2
    with app.app_context():
        assert [e.original_name for e in db.session.scalars(select(Evidence).where(
            Evidence.inspection_id == task["inspection_id"]))] == ["现场照片.png"]

    # --- the other enterprise over HTTP, the lead department publishes ---
    sign_off(app, campaign_id, other, inspection_fields(app, campaign_id, False))
    [publication] = open_tasks(app, campaign_id, "publication_approval")
    submit(user_client(app, "scjg_01"), publication["id"], [("approve", "publish")])

    # --- the public page, no login: the published result, searchable by USCC, nothing internal ---
    page.goto(f"{live_server}/public/")
    assert page.get_by_role("link", name="登录").count() == 1  # nobody logged in
    _search_bar_usable(page)
    page.get_by_label("企业名称或统一社会信用代码").fill(uscc)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/public/?q={uscc}*")
    results = page.locator("table.public-results tbody tr")
    assert results.count() == 1
    cells = results.first.locator("td").all_inner_texts()
    assert cells[0] == uscc and cells[1] == enterprise_name and "发现问题待后续处理" in cells[5]
    assert cells[4] == clock.today().isoformat()  # 检查日期
    text = page.locator("main").inner_text()
    for leak in (FINDING, SUMMARY, "现场照片", *names.values()):
        assert leak not in text, f"internal detail on the public page: {leak}"
    assert page.locator("a[href*='/evidence/'], a[href*='/inbox/']").count() == 0
    screenshot(page, "public-search-by-uscc")

    # the same search on the phone, logged out: the table is stacked, so each cell names its column
    phone.context.clear_cookies()
    phone.goto(f"{live_server}/public/")
    _search_bar_usable(phone)
    _touchable(phone.get_by_role("button", name="查询"), "查询")
    phone.get_by_label("企业名称或统一社会信用代码").fill(uscc)
    with phone.expect_navigation():
        phone.get_by_role("button", name="查询").tap()
    [result] = phone.locator("table.public-results tbody tr").all()
    shown = result.locator("td").evaluate_all(
        "tds => tds.map(td => [getComputedStyle(td, '::before').content, td.innerText.trim()])")
    assert shown[0] == ['"统一社会信用代码"', uscc] and shown[5][0] == '"检查结果"', shown
    _fits_the_phone(phone, "public page")
    screenshot(phone, "phone-6-public")


def test_supervisor_filters_the_dashboard_and_sees_the_campaign_diagram(app, live_server, page, phone_page):
    s, inspecting = _to_inspection(app)
    waiting = plan_and_approve(app, s)  # stays in initiation: overdue once its SLA has passed
    clock.advance(timedelta(days=15))
    with app.app_context():
        codes = {c: db.session.get(Campaign, c).code for c in (inspecting, waiting)}
        lead_name = db.session.scalars(select(User.display_name).where(User.username == "scjg_01")).one()

    login(page, live_server, "supervisor")
    page.get_by_role("link", name="督办看板").click()
    page.wait_for_url("**/dashboard/")
    table = page.locator("main table").first.locator("tbody")  # the campaigns (the overdue tasks follow)
    assert table.get_by_role("link", name=codes[inspecting]).count() == 1
    assert table.get_by_role("link", name=codes[waiting]).count() == 1
    first_row = table.locator("tr").first
    assert "overdue" in first_row.get_attribute("class") and codes[waiting] in first_row.inner_text()  # late first
    screenshot(page, "dashboard-all")

    page.get_by_label("只看超期").check()
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**overdue=1*")
    assert table.get_by_role("link", name=codes[waiting]).count() == 1
    assert all("overdue" in (r.get_attribute("class") or "") for r in table.locator("tr").all())
    screenshot(page, "dashboard-overdue")

    page.get_by_label("只看超期").uncheck()
    page.get_by_label("阶段").select_option(label="联合检查")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**stage=joint_inspection*")
    assert table.get_by_role("link", name=codes[inspecting]).count() == 1
    assert table.get_by_role("link", name=codes[waiting]).count() == 0
    screenshot(page, "dashboard-stage")

    # the campaign's page: its BPMN diagram drawn by bpmn-js, with the states highlighted
    table.get_by_role("link", name=codes[inspecting]).click()
    page.wait_for_url(f"**/campaigns/{inspecting}")
    page.wait_for_selector("#diagram[data-ready=true]")
    # the progress: every stage before the current one is done, the plan and the draw included
    assert page.locator(".stages li.done").all_inner_texts() == ["年度计划", "发起与报到", "双随机抽取"]
    assert page.locator(".stages li[aria-current=step]").inner_text() == "联合检查"
    diagram = page.locator("#diagram")
    assert diagram.locator("svg .djs-element.djs-shape").count() > 10
    states = page.evaluate(f"() => fetch('/campaigns/{inspecting}/diagram-states.json').then(r => r.json())")
    completed = [e for e, state in states.items() if state == "completed"]
    active = [e for e, state in states.items() if state == "active"]
    assert {"initiation", "partner_confirmation"} <= set(completed) and active, states
    for element_id in completed + active:
        shape = diagram.locator(f'.djs-element[data-element-id="{element_id}"]')
        if shape.count():  # a state may name an element without a shape of its own (e.g. a flow)
            assert f"state-{states[element_id]}" in shape.get_attribute("class"), element_id
    marked = {state: diagram.locator(f".djs-element.state-{state}").count() for state in ("completed", "active")}
    assert marked["completed"] >= 2 and marked["active"] >= 1, marked
    # the highlight is drawn: a completed task's rectangle is filled green, an active one yellow
    fills = page.evaluate("""() => ['completed', 'active'].map(s => {
        const el = document.querySelector(`#diagram .djs-shape.state-${s} .djs-visual > :first-child`);
        return el && getComputedStyle(el).fill; })""")
    assert fills == ["rgb(220, 239, 226)", "rgb(255, 244, 214)"], fills
    screenshot(page, "campaign-diagram")

    # the campaign's history names who acted (the lead official initiated), not a user id
    lines = page.locator("section.history li").all_inner_texts()
    assert any(line.startswith(lead_name) or f" {lead_name} " in line for line in lines), lines
    assert any("系统" in line for line in lines) and not any("#" in line for line in lines), lines

    # on a phone: the dashboard and the campaign page fit, the stacked tables name their columns
    login(phone_page, live_server, "supervisor")
    phone_page.goto(f"{live_server}/dashboard/?stage=joint_inspection")
    _fits_the_phone(phone_page, "dashboard")
    row = phone_page.locator("main table tbody tr").first
    assert row.locator("td[data-label='当前阶段']").inner_text() == "联合检查"
    assert phone_page.evaluate("getComputedStyle(document.querySelector('td[data-label]'), '::before').content") \
        == '"名称"'
    screenshot(phone_page, "phone-dashboard")
    phone_page.goto(f"{live_server}/campaigns/{inspecting}")
    phone_page.wait_for_selector("#diagram[data-ready=true]")
    _fits_the_phone(phone_page, "campaign page")
    assert phone_page.locator("#diagram .djs-element.state-active").count() >= 1
