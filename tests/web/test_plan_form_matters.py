"""The plan form lists the chosen industry's matters only, each once."""
import lxml.html
from sqlalchemy import select

from extensions import db
from models import Industry
from tests.conftest import csrf_token
from tests.e2e.journey import user_client


def _groups(html: str) -> dict[str, list[tuple[str, bool]]]:
    """Shown (not hidden) matter groups: industry id -> [(label, disabled)]."""
    doc = lxml.html.fromstring(html)
    return {g.get("data-industry"): [(" ".join(label.text_content().split()), label.xpath(".//input")[0].get("disabled") is not None)
                                     for label in g.xpath(".//label")]
            for g in doc.xpath("//div[contains(@class, 'matter-group')]") if g.get("hidden") is None}


def test_chosen_industry_lists_only_its_matters_once(app):
    supervisor = user_client(app, "supervisor")
    with app.app_context():
        industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
        industry_id, expected = industry.id, {f"{m.department.name}：{m.name}" for m in industry.matters}
        shared = {m.name for i in db.session.scalars(select(Industry)) if i.id != industry.id for m in i.matters}
    shown = _groups(supervisor.get(f"/plans/new?industry_id={industry_id}").get_data(as_text=True))
    assert list(shown) == [str(industry_id)]
    labels = [label for label, disabled in shown[str(industry_id)] if not disabled]
    assert len(labels) == len(set(labels)) and set(labels) == expected
    assert shared  # other industries share some of these matters: they are not listed a second time

    # after a refused submit the list stays narrowed to the chosen industry, what was ticked still ticked
    response = supervisor.post("/plans/new", data={"csrf_token": csrf_token(supervisor, "/plans/new"), "year": "",
                                                   "industry_id": str(industry_id)})
    assert response.status_code == 422
    assert list(_groups(response.get_data(as_text=True))) == [str(industry_id)]


def test_without_a_choice_every_industry_is_listed_for_a_browser_without_script(app):
    html = user_client(app, "supervisor").get("/plans/new").get_data(as_text=True)
    with app.app_context():
        count = len(db.session.scalars(select(Industry)).all())
    assert len(_groups(html)) == count and "static/plan_form.js" in html
