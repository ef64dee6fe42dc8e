"""A county's designer deploys the campaign process for its county from the modeler: the region picker offers
only its own subtree, and the version it deploys serves that county only."""
from sqlalchemy import select

from extensions import db
from models import Region
from services.org import accounts
from services.workflow import deployments
from tests.browser.conftest import login


def test_county_designer_deploys_for_its_county_in_the_browser(app, live_server, page):
    with app.app_context():
        accounts.create_account(None, username="qc_designer", password="Sheji2026abcd", roles=["designer"],
                                region_code="421126")
        county = db.session.scalars(select(Region).where(Region.code == "421126")).one()
        county_id, platform = county.id, deployments.latest("campaign")
        platform_id, n = platform.id, platform.version
    login(page, live_server, "qc_designer", "Sheji2026abcd")
    page.goto(f"{live_server}/designer/edit?process=campaign")
    page.wait_for_selector("#modeler[data-ready=true]")
    options = page.locator("#deploy-region option")
    assert options.count() == 1 and options.first.inner_text() == "蕲春县及下级区划"
    page.select_option("#deploy-region", str(county_id))
    page.fill("#change-note", "蕲春试行本县流程")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-action=deploy]")
    page.wait_for_selector(f"#modeler[data-deployed='{n + 1}']")
    with app.app_context():
        assert deployments.for_region("campaign", county_id).region_id == county_id
        assert deployments.latest("campaign").id == platform_id  # the platform's line is untouched
