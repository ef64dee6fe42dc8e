"""Form errors as a person sees them (issue 15, issue 21): each message beside its field in the UI language,
the field marked and described by it, a summary at the top linking to each, every value kept, no raw
Python/JSON/marshmallow English — on the phone inspection form, the 会诊 form, the annual plan, login."""
import re
from html import unescape

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from extensions import db
from forms.messages import localise, lookup
from models import HandlingDecision, Inspection, PlanEntry
from tests.conftest import csrf_token
from tests.factories import give_opinions
from tests.e2e.journey import (initiate, inspection_fields, open_tasks, plan_and_approve, report_in, scope, sign_off,
                               submit, user_client)

RAW = re.compile(r"\{'|\['|Missing data|may not be null|Not a valid|Length must|Must be")
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def _field_error(html: str, control_id: str) -> str:
    """The message shown for a control: the element its aria-describedby names."""
    tag = re.search(rf'<[^>]*\bid="{control_id}"[^>]*>', html)
    assert tag, f"no control {control_id}"
    assert 'aria-invalid="true"' in tag.group(0), tag.group(0)
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0)).group(1)
    message = re.search(rf'<p class="field-error" id="{described}">(.*?)</p>', html, re.S)
    assert message, f"no message {described}"
    return unescape(message.group(1))


def _summary_links(html: str) -> list[tuple[str, str]]:
    box = re.search(r'<div class="error-summary" id="error-summary" role="alert" tabindex="-1".*?</div>', html, re.S)
    assert box, "no error summary"
    return [(href, unescape(re.sub(r"<[^>]+>", "", text))) for href, text in
            re.findall(r'<a href="#([^"]+)">(.*?)</a>', box.group(0), re.S)]


def test_unanswered_checklist_items_are_marked_each_beside_its_item_and_values_kept(app):
    s = scope(app, 1)
    _, campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)
    [task] = open_tasks(app, campaign_id, "joint_inspection")
    officer = user_client(app, task["candidates"][0])
    fields = inspection_fields(app, campaign_id, False)
    items = [name for name, _ in fields if name.startswith("items.")]
    answered, unanswered = items[0], items[1:]
    kept = [(k, v) for k, v in fields if not k.startswith("items.")] + [(answered, "pass"), ("summary", "门口已张贴公示")]
    url = f"/inbox/tasks/{task['id']}"
    data = MultiDict([("csrf_token", csrf_token(officer, url)), ("action", "sign"),
                      *[(k, v) for k, v in kept if k != "summary"], ("summary", "门口已张贴公示")])
    response = officer.post(url, data=data)
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert not RAW.search(html), RAW.search(html).group(0)
    for name in unanswered:
        control = "f-" + name.replace(".", "-")
        assert _field_error(html, control) == "此项必填"
    # Only the unanswered items are marked; the answered one and the optional notes are not.
    assert 'id="f-{}" role="radiogroup"'.format(answered.replace(".", "-")) in html
    assert not re.search(r'<[^>]*id="f-{}"[^>]*aria-invalid'.format(answered.replace(".", "-")), html)
    assert 'name="items.{}.note"'.format(answered.split(".")[1]) in html
    assert not re.search(r'<input[^>]*name="items\.\d+\.note"[^>]*aria-invalid', html)
    assert html.count('class="row-item invalid"') == len(unanswered)
    # The summary at the top links to each unanswered item, named by its checklist text.
    links = _summary_links(html)
    assert [href for href, _ in links] == ["f-" + n.replace(".", "-") for n in unanswered]
    assert all(text.endswith(" · 结果：此项必填") for _, text in links)
    assert html.index('id="error-summary"') < html.index('id="f-result_code"')
    # Every value typed or chosen is still there.
    assert re.search(r'name="{}" value="pass" checked'.format(re.escape(answered)), html)
    assert re.search(r'name="result_code" value="01" checked', html)
    assert "门口已张贴公示" in html
    with app.app_context():
        assert db.session.get(Inspection, task["inspection_id"]).status == "assigned"

    english = officer.post(url, data=data, headers=ENGLISH).get_data(as_text=True)
    assert _field_error(english, "f-" + unanswered[0].replace(".", "-")) == "This field is required"
    assert not RAW.search(english)


def _to_diagnosis(app):
    s = scope(app, 3)
    _, campaign_id = plan_and_approve(app, s)
    lead = initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)
    inspections = open_tasks(app, campaign_id, "joint_inspection")
    for task in inspections:
        sign_off(app, campaign_id, task, inspection_fields(app, campaign_id, True))
    [publication] = open_tasks(app, campaign_id, "publication_approval")
    submit(lead, publication["id"], [("approve", "publish")])
    give_opinions(app, campaign_id)
    [diagnosis] = open_tasks(app, campaign_id, "diagnosis")
    return lead, diagnosis, [t["inspection_id"] for t in inspections]


def test_diagnosis_keeps_every_selection_and_names_the_enterprise(app):
    lead, diagnosis, (a, b, c) = _to_diagnosis(app)
    with app.app_context():
        name_b = db.session.get(Inspection, b).enterprise.name
    url = f"/inbox/tasks/{diagnosis['id']}"
    first = lead.get(url).get_data(as_text=True)
    suggested = dict(re.findall(r'name="handling\.(\d+)\.handling" value="(\w+)" checked', first))
    assert set(suggested) == {str(a), str(b), str(c)}  # the system's suggestions are preselected

    # Assessment missing, a deadline that is not a number, a transfer with no authority.
    response = submit(lead, diagnosis["id"], [
        ("assessment", ""), (f"handling.{a}.handling", suggested[str(a)]), (f"handling.{a}.reinspect", "on"),
        (f"handling.{b}.handling", suggested[str(b)]), (f"handling.{b}.deadline_days", "十五"),
        (f"handling.{c}.handling", suggested[str(c)]), (f"handling.{c}.note", "情节较重")], expect=422)
    html = response.get_data(as_text=True)
    assert not RAW.search(html)
    assert _field_error(html, "f-assessment") == "此项必填"
    assert _field_error(html, f"f-handling-{b}-deadline_days") == "请填写整数"
    assert any(href == f"f-handling-{b}-deadline_days" and name_b in text and "请填写整数" in text
               for href, text in _summary_links(html))
    # Every selection and everything typed comes back.
    assert dict(re.findall(r'name="handling\.(\d+)\.handling" value="(\w+)" checked', html)) == suggested
    assert re.search(rf'name="handling\.{a}\.reinspect" type="checkbox"[^>]*checked', html)
    assert f'name="handling.{b}.deadline_days" type="number" value="十五"' in html
    assert f'name="handling.{c}.note" value="情节较重"' in html

    # The service's rule (an override needs a reason) names the enterprise too, and the choice stays.
    response = submit(lead, diagnosis["id"], [
        ("assessment", "评估"), (f"handling.{a}.handling", "case"),
        (f"handling.{b}.handling", suggested[str(b)]), (f"handling.{c}.handling", suggested[str(c)])], expect=422)
    html = response.get_data(as_text=True)
    with app.app_context():
        name_a = db.session.get(Inspection, a).enterprise.name
        assert db.session.scalar(select(func.count()).select_from(HandlingDecision)) == 0
    assert f"{name_a}：调整系统建议的处置方式须填写理由" in unescape(html)
    assert re.search(rf'name="handling\.{a}\.handling" value="case" checked', html)


def test_empty_plan_is_answered_in_the_ui_language_beside_each_field(app):
    supervisor = user_client(app, "supervisor")
    token = csrf_token(supervisor, "/plans/new")
    response = supervisor.post("/plans/new", data={"csrf_token": token, "year": "", "timing": "第三季度"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert not RAW.search(html), RAW.search(html).group(0)
    assert _field_error(html, "f-year") == "此项必填"
    assert _field_error(html, "f-industry_id") == "此项必填"
    assert _field_error(html, "f-method") == "此项必填"
    # No partner is a single-department plan (单部门双随机), not an error.
    assert re.search(r'id="f-partner_department_ids"[^>]*>', html).group(0).count("aria-invalid") == 0
    links = dict(_summary_links(html))
    assert links["f-year"] == "年度：此项必填" and links["f-ratios"].startswith("抽查比例（%，按信用风险等级）：")
    assert 'value="第三季度"' in html  # what was typed stays
    with app.app_context():
        assert db.session.scalar(select(PlanEntry.id)) is None

    english = supervisor.post("/plans/new", data={"csrf_token": token}, headers=ENGLISH).get_data(as_text=True)
    assert _field_error(english, "f-year") == "This field is required"
    assert _field_error(english, "f-method") == "This field is required"
    assert not RAW.search(english)


def test_failed_login_keeps_the_username_and_focuses_the_password(client):
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "username": "scjg_01", "password": "wrong"})
    html = response.get_data(as_text=True)
    assert response.status_code == 401 and "用户名或密码错误" in html
    assert re.search(r'<input name="username"[^>]*value="scjg_01"', html)
    assert re.search(r'<input name="password"[^>]*autofocus', html)


def test_the_catalogue_translates_marshmallow_and_loader_templates_once():
    assert lookup("Length must be between 1 and 4.") == ("长度或数量应在 %(min)s 到 %(max)s 之间", {"min": "1", "max": "4"})
    assert lookup("长度应在 1–200 字之间") == ("长度应在 %(min)s–%(max)s 字之间", {"min": "1", "max": "200"})
    assert lookup("Must be one of: a, b.")[0] == "不是可选的值"
    assert lookup("检查日期不能晚于今天") is None  # a service's own message: shown as written
    shown = localise("Must be greater than or equal to 0 and less than or equal to 100.", lambda m, **v: m % v if v else m)
    assert shown == "应在 0 到 100 之间"


def test_password_and_special_action_forms_mark_their_fields_too(app):
    official = user_client(app, "scjg_01")
    token = csrf_token(official, "/auth/password")
    response = official.post("/auth/password", data={"csrf_token": token, "current": "nope", "new": "abc12345xyz",
                                                     "confirm": "abc12345xyz"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and _field_error(html, "f-current") == "当前密码不正确"
    assert ("f-current", "当前密码：当前密码不正确") in _summary_links(html)

    token = csrf_token(official, "/campaigns/special")
    response = official.post("/campaigns/special", data={"csrf_token": token, "industry_id": "", "reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and not RAW.search(html)
    links = dict(_summary_links(html))
    assert set(links) & {"f-industry_id", "f-reason"}
    for control in links:
        assert _field_error(html, control)


def test_checklist_revision_names_the_row_and_keeps_what_was_typed(app):
    admin = user_client(app, "admin")
    url = "/directory/industries/1/checklist/edit"
    page = admin.get(url).get_data(as_text=True)
    matter = re.search(r'<select name="matter_1"[^>]*><option value="(\d+)"', page).group(1)
    response = admin.post(url, data={"csrf_token": csrf_token(admin, url), "count": "2", "note": "补充检查项",
                                     "matter_1": matter, "text_1": "索证索票是否齐全",
                                     "matter_2": matter, "text_2": "长" * 501})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "items.2" not in re.sub(r'id="[^"]*"|aria-describedby="[^"]*"', "", html)
    assert _field_error(html, "f-items-2") == "检查内容不超过 500 字"
    assert ("f-items-2", "第 2 行：检查内容不超过 500 字") in _summary_links(html)
    assert 'value="索证索票是否齐全"' in html and 'value="补充检查项"' in html


def test_directory_forms_mark_their_fields(app):
    admin = user_client(app, "admin")
    url = "/directory/matters/new"
    response = admin.post(url, data={"csrf_token": csrf_token(admin, url), "code": "", "name": "", "legal_basis": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and not RAW.search(html)
    links = _summary_links(html)
    assert links and all(href.startswith("f-") for href, _ in links)
    for href, text in links:
        assert _field_error(html, href) in text


def test_review_weights_mark_the_field(app):
    supervisor = user_client(app, "supervisor")
    url = "/reports/review/weights"
    page = supervisor.get(url).get_data(as_text=True)
    names = re.findall(r'<input id="f-(\w+)" name="\1"', page)
    assert names
    response = supervisor.post(url, data={"csrf_token": csrf_token(supervisor, url), **{n: "" for n in names},
                                          names[0]: "-5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and not RAW.search(html)
    links = _summary_links(html)
    assert links
    for href, text in links:
        assert _field_error(html, href) in text


def test_follow_up_record_forms_keep_what_was_typed_and_mark_their_own_fields(app):
    from tests.web.test_diagnosis_follow_up import _to_diagnosis as to_diagnosis
    _campaign_id, inspections, lead = to_diagnosis(app, enterprises=2, problems=1)
    with app.app_context():
        enterprise_id = db.session.get(Inspection, inspections[0]["inspection_id"]).enterprise_id
    url = f"/follow-up/enterprises/{enterprise_id}"
    response = lead.post(f"{url}/services", data={"csrf_token": csrf_token(lead, url), "kind": "policy",
                                                  "delivered_on": "2999-01-01", "content": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and not RAW.search(html)
    links = dict(_summary_links(html))
    assert "f-service_content" in links and "f-delivered_on" in links and "f-content" not in links
    assert _field_error(html, "f-service_content") == "请填写服务内容"
    assert 'value="2999-01-01"' in html
