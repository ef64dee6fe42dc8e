"""信用风险分类抽查占比, joint vs single-department and targeted inspections, from a known set of campaigns."""
from sqlalchemy import select

from extensions import db
from models import Campaign, Draw, Enterprise, Inspection
from services.complaints import register as complaints
from services.complaints import triage
from services.stages import plans
from services.supervision.selection_kpis import selection_kpis
from services.workflow import clock
from tests import factories
from tests.factories import user


def _random_mode_campaign(app, s: dict) -> int:
    """A plan entry drawing without credit classes (不定向, an overall 100%% of a scope of few)."""
    with app.app_context():
        supervisor = user("supervisor")
        entry = plans.create_entry(supervisor, {
            "year": clock.today().year, "industry_id": s["industry_id"], "lead_department_id": s["lead_id"],
            "partner_department_ids": s["partners"], "matter_ids": s["matters"], "ratios": s["ratios"],
            "method": "实地检查", "timing": "第三季度", "result_handling": None,
            "draw_settings": {"mode": "random", "overall_ratio": 3,
                              "zero_reasons": {c: "测试" for c, v in s["ratios"].items() if not v}}})
        plans.approve_entry(supervisor, entry.id)
        return db.session.scalars(select(Campaign.id).where(Campaign.plan_entry_id == entry.id)).one()


def _targeted(app, s: dict) -> int:
    with app.app_context():
        official = user("scjg_01")
        uscc = db.session.scalars(select(Enterprise.uscc).where(
            Enterprise.industry_id == s["industry_id"], Enterprise.status == "存续").order_by(Enterprise.id.desc())).first()
        complaint = complaints.register(official, {"source": "letter", "uscc": uscc, "department_id": s["lead_id"],
                                                   "content": "举报无证经营"})
        officers = [u.id for u in triage.officers_of(official.department_id)][:2]
        return triage.triage(official, complaint.id, {"decision": "targeted", "reason": "线索具体",
                                                      "officer_ids": officers}).inspection_id


def known_campaigns(app) -> dict:
    """A credit-class draw and a plain random draw (both joint: a partner reports in) and one complaint."""
    stratified_id, s = factories.campaign_at(app, "drawn")
    random_id = _random_mode_campaign(app, s)
    factories.initiate(app, s, random_id)
    factories.report_in(app, s, random_id)
    targeted_id = _targeted(app, s)
    with app.app_context():
        counts = {}
        for name, campaign_id in (("stratified", stratified_id), ("random", random_id)):
            draw = db.session.scalars(select(Draw).where(Draw.campaign_id == campaign_id, Draw.status == "drawn")).one()
            assert draw.mode == name
            counts[name] = db.session.scalar(select(db.func.count()).select_from(Inspection).where(
                Inspection.campaign_id == campaign_id))
        assert db.session.get(Inspection, targeted_id).selection == "targeted"
    return {**counts, "lead_id": s["lead_id"]}


def test_the_credit_share_leaves_targeted_inspections_out(app):
    known = known_campaigns(app)
    n_credit, n_random = known["stratified"], known["random"]
    assert n_credit and n_random
    with app.app_context():
        today = clock.today()
        k = selection_kpis(user("supervisor"), today.replace(month=1, day=1), today)
        t = k.totals
        assert (t.random, t.credit_based, t.targeted) == (n_credit + n_random, n_credit, 1)
        assert t.credit_pct == round(100 * n_credit / (n_credit + n_random), 1)
        assert t.meets_goal == (t.credit_pct >= 80)
        assert (t.joint, t.single) == (n_credit + n_random, 1)
        [(department, figures)] = k.departments
        assert department.id == known["lead_id"] and figures.credit_pct == t.credit_pct and figures.targeted == 1
        [(region, by_region)] = k.regions
        assert by_region.random == t.random
