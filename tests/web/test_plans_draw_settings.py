"""The plan form carries the draw's rules: 0% needs a reason, modes, exclusions, scope, experts."""
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import Department, Industry, PlanEntry, Region
from tests.conftest import csrf_token, login


def _fields(client, **extra) -> MultiDict:
    industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
    lead = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
    partner = db.session.scalars(select(Department).where(Department.code == "wjw")).one()
    fields = [("csrf_token", csrf_token(client, "/plans/new")), ("year", str(date.today().year)),
              ("industry_id", str(industry.id)), ("lead_department_id", str(lead.id)),
              ("partner_department_ids", str(partner.id)), ("method", "实地检查"), ("timing", "第三季度")]
    fields += [("matter_ids", str(m.id)) for m in industry.matters if m.department_id in (lead.id, partner.id)]
    fields += [("ratio_A", "0"), ("ratio_B", "5"), ("ratio_C", "100"), ("ratio_D", "100")]
    return MultiDict(fields + list(extra.items()))


def test_zero_ratio_without_reason_is_refused_on_the_form(app, client):
    login(client, "supervisor")
    with app.app_context():
        response = client.post("/plans/new", data=_fields(client))
        assert response.status_code == 422
        assert "必须记录理由" in response.get_data(as_text=True)
        assert db.session.scalars(select(PlanEntry)).all() == []


def test_draw_settings_are_saved_and_shown(app, client):
    login(client, "supervisor")
    with app.app_context():
        regions = db.session.scalars(select(Region).order_by(Region.id)).all()
        data = _fields(client, zero_reason_A="A 类已签署信用承诺，本年度免抽", mode="targeted",
                       target_entity="sole_trader", exclude_inspected_months="6", exclude_open_case="0",
                       min_per_class="2", expert_field="食品安全", experts_per_enterprise="1")
        for region in regions:
            data.add("region_ids", str(region.id))
        response = client.post("/plans/new", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        entry = db.session.scalars(select(PlanEntry)).one()
        settings = entry.draw_settings
        assert settings["mode"] == "targeted" and settings["target"]["entity"] == "sole_trader"
        assert settings["zero_reasons"] == {"A": "A 类已签署信用承诺，本年度免抽"}
        assert (settings["exclude_inspected_months"], settings["exclude_open_case"], settings["min_per_class"]) == (6, False, 2)
        assert settings["region_ids"] == [r.id for r in regions] and settings["experts_per_enterprise"] == 1
    page = client.get("/plans/").get_data(as_text=True)
    assert "定向" in page and "A 类免抽：A 类已签署信用承诺" in page and "专家：食品安全" in page


def test_targeted_mode_needs_a_filter_and_random_mode_a_ratio(app, client):
    login(client, "supervisor")
    with app.app_context():
        for extra, message in (({"mode": "targeted"}, "定向抽取至少需要一个筛选条件"),
                               ({"mode": "random"}, "不定向抽取需设定")):
            response = client.post("/plans/new", data=_fields(client, zero_reason_A="理由充分的免抽", **extra))
            assert response.status_code == 422 and message in response.get_data(as_text=True)
