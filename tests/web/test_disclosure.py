"""docs/disclosure.md on every anonymous page: after a draw with inspections open nothing public names a drawn
enterprise, an officer, a certificate number, an expert or a credit class; after publication the results are on
/public/ and still nothing links an enterprise to its class, its draw entry or its officers.

The anonymous pages are not listed by hand: every GET route of the application is requested without a login
(with each draw id, region code and year it takes), so a page added later is checked too.
"""
import io
import re
from datetime import date, timedelta

from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import select

from domain import draw_v3
from extensions import db
from models import Draw, Enterprise, Expert, Inspection, Region
from services.draw import disclosure, sealed
from services.workflow import clock
from tests.e2e import journey
from tests.web.test_draw_pages import _draw_of, _to_draw
from tests.web.test_draw_v3_pages import committed_v3, enter_value

CLASS_WORDS = ("信用等级", "信用风险等级", "信用风险分类：", "credit class:", "Credit class")


def anonymous_pages(app) -> dict[str, str]:
    """Every page and file an anonymous visitor can open (status 200), as text."""
    with app.app_context():
        values = {"draw_id": list(db.session.scalars(select(Draw.id))),
                  "region": list(db.session.scalars(select(Region.code))), "year": [date.today().year],
                  "fmt": ["csv", "xlsx", "json"]}
    client, pages = app.test_client(), {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "vendor.asset") or "path" in str(rule):
            continue
        choices = [{}]
        for arg in rule.arguments:
            choices = [{**c, arg: v} for c in choices for v in values.get(arg, [1])]
        for args in choices:
            with app.test_request_context():
                url = url_for(rule.endpoint, **args)
            response = client.get(url)
            if response.status_code == 200:
                pages[url] = _text(response)
    return pages


def _text(response) -> str:
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                         if v is not None)
    return response.get_data(as_text=True)


def secrets_of(app, campaign_id: int) -> dict[str, set[str]]:
    """What must never be public for this campaign's draw (and, before publication, who was drawn)."""
    with app.app_context():
        inspections = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).all()
        officers = {o.user for i in inspections for o in i.officers}
        record = _draw_of(app, campaign_id)
        experts = {e for d in db.session.get(Draw, record.id).enterprises for e in (d.experts or [])}
        return {"drawn": {i.enterprise.uscc for i in inspections} | {i.enterprise.name for i in inspections},
                "officers": {u.display_name for u in officers} | {u.cert_no for u in officers if u.cert_no},
                "experts": {db.session.get(Expert, e).name for e in experts},
                "names": {i.enterprise.uscc: i.enterprise.name for i in inspections}}


def assert_nothing_disclosed(pages: dict[str, str], hidden: set[str]) -> None:
    for url, text in pages.items():
        leaked = sorted(value for value in hidden if value and value in text)
        assert not leaked, f"{url} discloses {leaked[:5]}"
        for word in CLASS_WORDS:
            assert word not in text, f"{url} shows a credit-class label ({word})"


def _inspect_and_publish(app, s, campaign_id: int) -> None:
    for i, task in enumerate(journey.open_tasks(app, campaign_id, "joint_inspection")):
        journey.sign_off(app, campaign_id, task, journey.inspection_fields(app, campaign_id, i == 0))
    [publication] = journey.open_tasks(app, campaign_id, "publication_approval")
    journey.submit(journey.user_client(app, "scjg_01"), publication["id"], [("approve", "publish")])


def _public_row(page: str, uscc: str) -> str:
    return next(row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if uscc in row)


def check_disclosure(app, s, campaign_id: int) -> None:
    assert len(journey.open_tasks(app, campaign_id, "joint_inspection")) == 3
    hidden = secrets_of(app, campaign_id)
    pages = anonymous_pages(app)
    assert any(url.startswith("/verify/draw/") and url.endswith(".xlsx") for url in pages)  # the crawl reached them
    assert any(url.startswith("/verify/draw/") and url.endswith(".json") for url in pages)
    assert_nothing_disclosed(pages, hidden["drawn"] | hidden["officers"] | hidden["experts"])

    _inspect_and_publish(app, s, campaign_id)
    public = app.test_client().get("/public/").get_data(as_text=True)
    for uscc, name in hidden["names"].items():
        row = _public_row(public, uscc)
        assert name in row and "蕲春县市场监督管理局" in row  # the result names the authority
    with app.app_context():
        classes = {e.uscc: e.credit_class for e in db.session.scalars(
            select(Enterprise).where(Enterprise.uscc.in_(hidden["names"])))}
    pages = anonymous_pages(app)
    assert_nothing_disclosed(pages, hidden["officers"] | hidden["experts"])
    for url, text in pages.items():
        if url.startswith("/verify/"):  # the draw's record never names the drawn, even after publication
            assert not any(u in text for u in hidden["names"]), url
    for uscc in hidden["names"]:  # the published row carries no class and no draw position
        row = _public_row(public, uscc)
        assert f">{classes[uscc]}<" not in row and "/verify/draw/" not in row


def test_v2_draw_discloses_nothing_before_or_after_publication(app):
    s, campaign_id = _to_draw(app)
    journey.report_in(app, s, campaign_id)
    check_disclosure(app, s, campaign_id)


def test_v3_draw_discloses_nothing_before_or_after_publication(app):
    s, campaign_id, record = committed_v3(app)
    pages = anonymous_pages(app)  # committed: the scope is sealed, nothing about any candidate is public
    with app.app_context():
        lists, _ = sealed.load(db.session.get(Draw, record.id))
        candidates = {u for v in lists.values() for u, _ in v}
    assert candidates and not any(u in text for u in candidates for text in pages.values())
    clock.advance(timedelta(days=1))
    assert enter_value(app, journey.user_client(app, "auditor"), record).status_code == 302
    assert _draw_of(app, campaign_id).algorithm == draw_v3.ALGORITHM
    check_disclosure(app, s, campaign_id)


def test_a_failed_draws_public_reasons_name_no_enterprise(app):
    with app.app_context():
        record = Draw(failure="91421126MA0000003A：「消防」没有可派的执法人员（回避或已达工作量上限）\n"
                              "「卫健委」在岗执法人员 1 名，至少需要 2 名\n421126000000001：「公安」没有可派的执法人员")
        assert disclosure.public_failure(record) == [
            "某候选经营主体：「消防」没有可派的执法人员（回避或已达工作量上限）",
            "「卫健委」在岗执法人员 1 名，至少需要 2 名", "某候选经营主体：「公安」没有可派的执法人员"]
