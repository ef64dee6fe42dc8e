"""Per-region process deployments: a county runs its own variant, the rest keep the platform's; designers
deploy only within their scope."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extensions import db
from models import AuditRecord, Industry, ProcessDefinition, Region
from services.designer import processes as designer
from services.errors import Forbidden
from services.org import accounts, structure
from services.stages import initiation
from services.workflow import deployments, runtime
from tests.services.draw_support import department, user

CAMPAIGN = (Path(__file__).resolve().parents[2] / "workflows" / "campaign.bpmn").read_text(encoding="utf-8")
COUNTY_VARIANT = CAMPAIGN.replace('name="slaDays" value="20"', 'name="slaDays" value="15"')
CITY_VARIANT = CAMPAIGN.replace('name="slaDays" value="20"', 'name="slaDays" value="18"')


def _region(code: str) -> Region:
    return db.session.scalars(select(Region).where(Region.code == code)).one()


def _designer(username: str, region_code: str):
    return accounts.create_account(None, username=username, password="Sheji2026abcd", roles=["designer"],
                                   region_code=region_code)


def _campaign_definition(lead_code: str) -> ProcessDefinition:
    industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
    lead = department(lead_code)
    campaign = initiation.open_campaign(user("supervisor"), kind="special", industry=industry, lead=lead,
                                        ratios={"A": 0.05, "B": 0.05, "C": 0.2, "D": 0.6},
                                        matters=[m for m in industry.matters if m.department_id == lead.id],
                                        special_reason="测试区划部署")
    db.session.commit()
    return runtime.campaign_instance(campaign.id).definition


def test_two_counties_one_with_an_override_start_on_their_own_versions(app):
    assert COUNTY_VARIANT != CAMPAIGN and CITY_VARIANT != CAMPAIGN
    with app.app_context():
        platform = deployments.latest("campaign")
        qichun, taihu = _region("421126"), _region("340825")
        county, _ = designer.deploy_model(_designer("qc_designer", "421126"), COUNTY_VARIANT, "designer",
                                          "蕲春发起时限改为 15 个工作日", qichun.id)
        assert county.region_id == qichun.id and county.version == platform.version + 1
        assert _campaign_definition("scjg").id == county.id          # 蕲春 runs its override
        assert _campaign_definition("th_scjg").id == platform.id     # 太湖 keeps the platform's
        record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "process.deploy",
                                                              AuditRecord.object_id == county.id)).one()
        assert record.detail["region_id"] == qichun.id

        # a city's version is inherited by its counties without their own; the county's own stays nearer
        xishui = structure.create_region(None, "421125", "浠水县", "421100")
        city, _ = designer.deploy_model(user("designer"), CITY_VARIANT, "designer", "黄冈全市改为 18 天",
                                        _region("421100").id)
        assert deployments.for_region("campaign", xishui.id).id == city.id
        assert deployments.for_region("campaign", qichun.id).id == county.id
        assert deployments.for_region("campaign", taihu.id).id == platform.id

        # a new platform version reaches 太湖, not the counties that have their own line
        newer, _ = designer.deploy_model(user("designer"), CAMPAIGN.replace('value="20"', 'value="21"', 1),
                                         "designer", "全平台调整")
        assert _campaign_definition("th_scjg").id == newer.id
        assert _campaign_definition("scjg").id == county.id
        assert deployments.latest("campaign").id == newer.id and deployments.latest("campaign", qichun.id).id == county.id


def test_a_county_designer_deploys_only_within_its_own_scope(app):
    with app.app_context():
        qc_designer = _designer("qc_designer", "421126")
        before = db.session.scalar(select(func.count()).select_from(ProcessDefinition))
        with pytest.raises(Forbidden, match="只能为您管辖的区划部署流程"):
            designer.deploy_model(qc_designer, COUNTY_VARIANT, "designer", "越权部署", _region("340825").id)
        with pytest.raises(Forbidden, match="部署到全平台需要全平台范围的流程设计员"):
            designer.deploy_model(qc_designer, COUNTY_VARIANT, "designer", "越权部署")
        with pytest.raises(Forbidden):  # the city above its county is outside its scope too
            designer.deploy_model(qc_designer, COUNTY_VARIANT, "designer", "越权部署", _region("421100").id)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(ProcessDefinition)) == before
        assert [r.code for r in designer.deploy_regions(qc_designer)] == ["421126"]


def test_a_county_line_rolls_back_and_migrates_within_itself(app):
    from services.workflow import migration
    with app.app_context():
        qichun = _region("421126")
        qc_designer = _designer("qc_designer", "421126")
        first, _ = designer.deploy_model(qc_designer, COUNTY_VARIANT, "designer", "蕲春 15 天", qichun.id)
        instance_definition = _campaign_definition("scjg")
        assert instance_definition.id == first.id
        second, _ = designer.deploy_model(qc_designer, CITY_VARIANT, "designer", "蕲春改为 18 天", qichun.id)
        campaign_instance = db.session.scalars(select(runtime.WorkflowInstance).where(
            runtime.WorkflowInstance.definition_id == first.id)).first()
        assert migration.check(campaign_instance).target.id == second.id  # the county's newest, not the platform's
        restored = designer.roll_back(qc_designer, "campaign", first.version)
        assert restored.region_id == qichun.id and restored.content_hash == first.content_hash
        assert deployments.for_region("campaign", qichun.id).id == restored.id
        platform_first = db.session.scalars(select(ProcessDefinition).where(
            ProcessDefinition.process_id == "campaign", ProcessDefinition.region_id.is_(None))
            .order_by(ProcessDefinition.version)).first()
        with pytest.raises(Forbidden):  # the platform's line is not the county designer's
            designer.roll_back(qc_designer, "campaign", platform_first.version)


def test_the_console_deploys_for_a_region(app, tmp_path):
    source = tmp_path / "campaign.bpmn"
    source.write_text(COUNTY_VARIANT, encoding="utf-8")
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["process", "deploy", str(source), "--region", "999999"])
    assert unknown.exit_code != 0 and "区划代码 999999 不存在" in unknown.output
    done = runner.invoke(args=["process", "deploy", str(source), "--region", "421126"])
    assert done.exit_code == 0 and "适用于区划 421126 及下级" in done.output
    with app.app_context():
        assert deployments.latest("campaign", _region("421126").id).content_hash != deployments.latest("campaign").content_hash
