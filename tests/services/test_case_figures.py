"""Cases and transfers: a transfer to the police (两法衔接) keeps its 移送书号, receipt and outcome; the review's
figures count cases by procedure (一般程序 / 简易程序) and transfers, and the campaign page shows them."""
import pytest
from sqlalchemy import select

from extensions import db
from models import Campaign, Case, Department, Transfer
from services.errors import Conflict, ValidationFailed
from services.stages import cases, follow_up, review, review_figures
from tests import factories
from tests.e2e.journey import user_client


def _decide(app, handling: dict) -> int:
    campaign_id, _ = factories.campaign_at(app, "published")
    factories.give_opinions(app, campaign_id)
    [task] = factories.open_tasks(app, campaign_id, "diagnosis")
    with app.app_context():
        rows = factories.tasks.task_form(factories.user("scjg_01"), task["id"]).context.rows["problem_inspections"]
    factories.complete(app, "scjg_01", task["id"], {"assessment": "分类处置", "handling": [
        {"key": r.key, "note": "依法处理", **handling} for r in rows]})
    return campaign_id


def _figures(app, campaign_id: int) -> dict:
    with app.app_context():
        return review_figures.campaign_figures(db.session.get(Campaign, campaign_id))


def test_a_case_counts_under_its_procedure(app):
    campaign_id = _decide(app, {"handling": "case"})
    assert {k: _figures(app, campaign_id)[k] for k in ("cases_general", "cases_summary")} == \
        {"cases_general": 1, "cases_summary": 0}
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.campaign_id == campaign_id)).one()
        officer = factories.user(f"{db.session.get(Department, case.department_id).code}_01")
        cases.update_case(officer, case.id, procedure="summary", status="open", penalty=None, summary=None)
    figures = _figures(app, campaign_id)
    assert (figures["cases_general"], figures["cases_summary"], figures["transfers"]) == (0, 1, 0)
    page = user_client(app, "supervisor").get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "立案（一般程序 / 简易程序）" in page and "0 / 1" in page


def test_a_transfer_to_the_police_keeps_its_number_receipt_and_outcome(app):
    campaign_id = _decide(app, {"handling": "transfer", "authority": "蕲春县公安局", "authority_kind": "public_security",
                                "transfer_no": "蕲市监移〔2026〕第0001号"})
    with app.app_context():
        transfer = db.session.scalars(select(Transfer).where(Transfer.campaign_id == campaign_id)).one()
        assert transfer.transfer_no == "蕲市监移〔2026〕第0001号"
        lead = factories.user("scjg_01")
        with pytest.raises(Conflict):  # no outcome before the police have signed for it
            follow_up.record_transfer_outcome(lead, transfer.id, outcome="已立案侦查")
        follow_up.acknowledge_transfer(lead, transfer.id, acknowledged_by="王警官", receipt_no="公受〔2026〕18号")
        with pytest.raises(ValidationFailed) as empty:
            follow_up.record_transfer_outcome(lead, transfer.id, outcome="  ")
        assert "处理结果" in empty.value.errors["outcome"][0]
        follow_up.record_transfer_outcome(lead, transfer.id, outcome="已立案侦查")
        transfer = db.session.get(Transfer, transfer.id)
        assert (transfer.receipt_no, transfer.outcome) == ("公受〔2026〕18号", "已立案侦查")
        enterprise_id = transfer.enterprise_id
    figures = _figures(app, campaign_id)
    assert (figures["transfers"], figures["transfers_police"], figures["cases_general"]) == (1, 1, 0)
    page = user_client(app, "scjg_01").get(f"/follow-up/enterprises/{enterprise_id}").get_data(as_text=True)
    assert "蕲市监移〔2026〕第0001号" in page and "已立案侦查" in page and "公受〔2026〕18号" in page
    assert "蕲春县公安局（公安机关）" in page


def test_the_period_review_counts_cases_penalties_and_transfers(app):
    """The period's 通报 shows the case figures the campaign page shows, summed over its campaigns."""
    from datetime import timedelta

    from services.workflow import clock

    campaign_id = _decide(app, {"handling": "case"})
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.campaign_id == campaign_id)).one()
        officer = factories.user(f"{db.session.get(Department, case.department_id).code}_01")
        cases.update_case(officer, case.id, procedure="summary", status="open", penalty="2000.50", summary=None)
        start = clock.today() - timedelta(days=30)
        period = review.period_review(factories.user("supervisor"), start, clock.today())
    assert {k: period.totals[k] for k in ("cases_general", "cases_summary", "penalties", "transfers")} == \
        {"cases_general": 0, "cases_summary": 1, "penalties": 1, "transfers": 0}
    assert period.totals["penalty_fen"] == 200050
    [(_, row)] = [(c, r) for c, r in period.campaigns if c.id == campaign_id]
    assert (row["cases_summary"], row["penalties"]) == (1, 1)
    page = user_client(app, "supervisor").get(f"/reports/review?start={start}").get_data(as_text=True)
    assert "立案（一般程序 / 简易程序）" in page and "0 / 1" in page
    assert "1 件，罚没 2000.50 元" in page and "移送（其中移送公安）" in page
    campaign_page = user_client(app, "supervisor").get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "1 件，罚没 2000.50 元" in campaign_page


def test_the_period_review_s_department_rows_add_up_to_its_case_figures(app):
    """Per department: the cases it opened and handles (with their penalties) and the transfers it sent, over the
    same campaigns as the totals, so that the rows sum to the 总体情况 — the page shows them per department too."""
    from datetime import timedelta

    from services.workflow import clock

    with_case = _decide(app, {"handling": "case"})
    with_transfer = _decide(app, {"handling": "transfer", "authority": "蕲春县公安局", "authority_kind": "public_security"})
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.campaign_id == with_case)).one()
        handler = db.session.get(Department, case.department_id)
        cases.update_case(factories.user(f"{handler.code}_01"), case.id, procedure="general", status="open",
                          penalty="1500", summary=None)
        lead = db.session.get(Campaign, with_transfer).lead_department_id
        start = clock.today() - timedelta(days=30)
        period = review.period_review(factories.user("supervisor"), start, clock.today())
        rows = {d.id: row for d, row in period.departments}
        handler_id, handler_name = handler.id, handler.name
    keys = ("cases_general", "cases_summary", "penalties", "penalty_fen", "transfers", "transfers_police")
    assert period.totals["cases_general"] >= 1 and period.totals["transfers"] >= 1
    for key in keys:
        assert sum(row[key] for row in rows.values()) == period.totals[key], key
    assert (rows[handler_id]["cases_general"], rows[handler_id]["penalty_fen"]) == (1, 150000)
    assert (rows[lead]["transfers"], rows[lead]["transfers_police"]) >= (1, 1)
    client = user_client(app, "supervisor")
    page = client.get(f"/reports/review?start={start}").get_data(as_text=True)
    department_table = page.split("二、各部门")[1].split("三、各检查活动")[0]
    assert "立案/处罚/移送" in department_table and "罚没 1500.00 元" in department_table
    assert handler_name in department_table
    english = client.get(f"/reports/review?start={start}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "fines 1500.00 yuan" in english


def test_a_transfer_counts_as_to_the_police_by_the_kind_chosen(app):
    """The receiving authority's kind is chosen in the diagnosis form and the figures follow it (a police unit
    without 公安 in its name counts as police when chosen so); a transfer without a kind is refused."""
    campaign_id, _ = factories.campaign_at(app, "published")
    factories.give_opinions(app, campaign_id)
    [task] = factories.open_tasks(app, campaign_id, "diagnosis")
    lead = user_client(app, "scjg_01")
    form = lead.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert "接收机关类别（移送时必选）" in form and "公安机关" in form and "司法机关（检察院、法院）" in form
    with app.app_context():
        rows = factories.tasks.task_form(factories.user("scjg_01"), task["id"]).context.rows["problem_inspections"]
    handling = [{"key": r.key, "note": "依法处理", "handling": "transfer", "authority": "蕲春县森林警察大队"}
                for r in rows]
    with app.app_context(), pytest.raises(ValidationFailed) as missing:
        factories.tasks.complete(factories.user("scjg_01"), task["id"],
                                      {"assessment": "分类处置", "handling": handling})
    assert any("移送须选择接收机关类别" in e for e in missing.value.errors["handling"])
    kinds = [("public_security", "蕲春县森林警察大队")] + [("judicial", "蕲春县人民检察院")] * (len(rows) - 1)
    factories.complete(app, "scjg_01", task["id"], {"assessment": "分类处置", "handling": [
        {**row, "authority_kind": kind, "authority": name} for row, (kind, name) in zip(handling, kinds)]})
    figures = _figures(app, campaign_id)
    assert (figures["transfers"], figures["transfers_police"]) == (len(rows), 1)


def test_migration_backfills_the_authority_kind_from_the_name(app):
    """limits0000001 gives existing transfers the kind the old name rule implied (公安 / 派出所 → public
    security), 检察院 / 法院 → judicial, any other → administrative."""
    from flask_migrate import downgrade, stamp, upgrade
    from sqlalchemy import text

    campaign_id = _decide(app, {"handling": "transfer", "authority": "某局", "authority_kind": "administrative"})
    names = ["蕲春县公安局", "漕河派出所", "蕲春县人民检察院", "蕲春县应急管理局"]
    with app.app_context():
        first = db.session.scalars(select(Transfer).where(Transfer.campaign_id == campaign_id)).first()
        for name in names:
            db.session.add(Transfer(inspection_id=first.inspection_id, campaign_id=campaign_id,
                                    enterprise_id=first.enterprise_id, authority=name, status="sent",
                                    sent_at=first.sent_at, recorded_by_id=first.recorded_by_id))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # pg_app builds its schema without Alembic
            stamp()
        downgrade(revision="floor0000001")
        upgrade()
        db.session.remove()
        kinds = dict(db.session.execute(text("SELECT authority, authority_kind FROM transfer")).all())
    assert [kinds[n] for n in names] == ["public_security", "public_security", "judicial", "administrative"]


def test_the_period_figures_on_postgresql(pg_app):
    """The sums over a Numeric penalty and the police transfers by kind, on PostgreSQL too."""
    test_the_period_review_counts_cases_penalties_and_transfers(pg_app)
    test_a_transfer_counts_as_to_the_police_by_the_kind_chosen(pg_app)


def test_the_department_figures_on_postgresql(pg_app):
    test_the_period_review_s_department_rows_add_up_to_its_case_figures(pg_app)


def test_the_migration_backfill_on_postgresql(pg_app):
    test_migration_backfills_the_authority_kind_from_the_name(pg_app)
