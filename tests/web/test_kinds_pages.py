"""The campaign-kind pages (themed action, emergency action, invitation, invitation rules) in both languages:
nothing a person must not read on them, and the English page is in English."""
from sqlalchemy import select

from extensions import db
from models import Industry
from tests.conftest import login
from tests.web.page_checks import problems

ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def _pages(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        industry = db.session.scalars(select(Industry.id).where(Industry.code == "6110")).one()
    return [("scjg_01", "/campaigns/themed", "Request a themed action"),
            ("scjg_01", "/campaigns/emergency", "Request an emergency joint action"),
            ("scjg_01", f"/campaigns/invite?industry_id={industry}", "Departments invited (1–4)"),
            ("supervisor", "/campaigns/invitation-rules", "Coordinating office approves"),
            ("scjg_01", "/campaigns/areas", "Add a named area")]


def test_kind_pages_read_well_in_chinese_and_english(app):
    for username, path, english_text in _pages(app):
        client = app.test_client()
        login(client, username)
        zh = client.get(path)
        assert zh.status_code == 200, path
        assert problems(zh.get_data(as_text=True), zh=True) == [], path
        en = client.get(path, headers=ENGLISH).get_data(as_text=True)
        assert english_text in en, path
        assert problems(en, zh=False) == [], path
