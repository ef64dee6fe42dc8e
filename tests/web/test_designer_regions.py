"""The designer's deploy: the region to deploy for is chosen within the designer's own scope."""
from pathlib import Path

from sqlalchemy import func, select

from extensions import db
from models import ProcessDefinition, Region
from services.org import accounts
from tests.conftest import csrf_token, login

CAMPAIGN = (Path(__file__).resolve().parents[2] / "workflows" / "campaign.bpmn").read_text(encoding="utf-8")
VARIANT = CAMPAIGN.replace('name="slaDays" value="20"', 'name="slaDays" value="15"')


def _region_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Region.id).where(Region.code == code))


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessDefinition))


def test_county_designer_picks_its_county_and_is_refused_elsewhere(app):
    with app.app_context():
        accounts.create_account(None, username="qc_designer", password="Sheji2026abcd", roles=["designer"],
                                region_code="421126")
    client = app.test_client()
    login(client, "qc_designer", "Sheji2026abcd")
    page = client.get("/designer/edit?process=campaign").get_data(as_text=True)
    assert "部署范围" in page and "蕲春县及下级区划" in page
    assert "太湖县" not in page and "全平台（未单独部署的区划均使用）" not in page
    headers, before = {"X-CSRFToken": csrf_token(client, "/designer/")}, _count(app)
    refused = client.post("/designer/deploy", headers=headers, json={
        "xml": VARIANT, "change_note": "太湖改为 15 天", "region_id": _region_id(app, "340825")})
    assert refused.status_code == 403 and _count(app) == before
    assert client.post("/designer/deploy", headers=headers,
                       json={"xml": VARIANT, "change_note": "全平台改为 15 天"}).status_code == 403
    done = client.post("/designer/deploy", headers=headers, json={
        "xml": VARIANT, "change_note": "蕲春发起时限改为 15 个工作日", "region_id": _region_id(app, "421126")})
    assert done.status_code == 200 and _count(app) == before + 1
    versions = client.get("/designer/processes/campaign").get_data(as_text=True)
    assert "适用区划" in versions and "蕲春县" in versions and "全平台" in versions
    assert versions.count("（最新）") == 2  # the county's line and the platform's each have their newest


def test_platform_designer_may_deploy_for_the_whole_platform_or_a_region(app):
    client = app.test_client()
    login(client, "designer")
    page = client.get("/designer/edit?process=campaign").get_data(as_text=True)
    assert "全平台（未单独部署的区划均使用）" in page and "太湖县及下级区划" in page
