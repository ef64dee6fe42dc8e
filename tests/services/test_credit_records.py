"""信用归集: the export holds exactly the records whose date falls in its window — results and decisions of the
day they were published / decided, a penalty of the day its case closed — and the pages and files say so."""
import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import Case, Department, HandlingDecision, Inspection
from services import credit_records
from services.errors import Forbidden, ValidationFailed
from services.stages import cases
from services.workflow import clock
from tests import factories
from tests.e2e.journey import user_client


def _case_decided(app) -> tuple[int, int]:
    """A campaign whose problem enterprise gets a case (立案) at diagnosis; returns (campaign id, case id)."""
    campaign_id, _ = factories.campaign_at(app, "published")
    factories.give_opinions(app, campaign_id)
    [task] = factories.open_tasks(app, campaign_id, "diagnosis")
    with app.app_context():
        rows = factories.tasks.task_form(factories.user("scjg_01"), task["id"]).context.rows["problem_inspections"]
    factories.complete(app, "scjg_01", task["id"], {"assessment": "立案查处", "handling": [
        {"key": r.key, "handling": "case", "note": "情节较重，立案查处"} for r in rows]})
    with app.app_context():
        return campaign_id, db.session.scalars(select(Case.id).where(Case.campaign_id == campaign_id)).one()


def _export(app, start, end) -> set[str]:
    with app.app_context():
        _span, records = credit_records.export(factories.user("supervisor"), start.isoformat(), end.isoformat())
        return {r.record_id for r in records}


def test_export_holds_exactly_the_records_of_its_window(app):
    campaign_id, case_id = _case_decided(app)
    with app.app_context():
        day0 = clock.today()
        published = {f"R{i}" for i in db.session.scalars(select(Inspection.id).where(
            Inspection.campaign_id == campaign_id, Inspection.published_at.is_not(None)))}
        decided = {f"D{d}" for d in db.session.scalars(select(HandlingDecision.id).where(
            HandlingDecision.campaign_id == campaign_id, HandlingDecision.handling != "none"))}
        assert len(published) == 4 and len(decided) == 1
        clock.advance(timedelta(days=3))  # the case closes with its penalty three days later
        department = db.session.get(Department, db.session.get(Case, case_id).department_id)
        department_user = factories.user(f"{department.code}_01")
        cases.update_case(department_user, case_id, procedure="summary", status="closed", penalty="2000",
                          summary="当场罚款")
        day3 = clock.today()

    assert _export(app, day0, day0) == published | decided
    assert _export(app, day0 + timedelta(days=1), day3) == {f"P{case_id}"}
    assert _export(app, day0, day3) == published | decided | {f"P{case_id}"}
    assert _export(app, day0 - timedelta(days=5), day0 - timedelta(days=1)) == set()

    supervisor = user_client(app, "supervisor")
    query = f"start={day0.isoformat()}&end={day3.isoformat()}"
    text = supervisor.get(f"/reports/credit.csv?{query}").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == credit_records.HEADER and len(rows) == 1 + 6
    penalty = [r for r in rows if r[0] == f"P{case_id}"][0]
    assert penalty[1] == "行政处罚" and penalty[7] == "简易程序" and "2000" in penalty[8] and penalty[9]
    document = json.loads(supervisor.get(f"/reports/credit.json?{query}").get_data(as_text=True))
    assert document["count"] == 6 and {r["record_id"] for r in document["records"]} == published | decided | {f"P{case_id}"}
    page = supervisor.get(f"/reports/credit?{query}").get_data(as_text=True)
    assert "共 6 条记录" in page and "行政处罚" in page


def test_bad_windows_are_refused_in_chinese_and_officials_may_not_export(app):
    with app.app_context():
        supervisor = factories.user("supervisor")
        with pytest.raises(ValidationFailed) as bad:
            credit_records.export(supervisor, "2026-05-02", "2026-05-01")
        assert bad.value.errors["end"] == ["截止日期不能早于起始日期"]
        with pytest.raises(ValidationFailed) as missing:
            credit_records.export(supervisor, "", "2026-05-01")
        assert "请填写日期" in missing.value.errors["start"][0]
        with pytest.raises(Forbidden):
            credit_records.export(factories.user("scjg_01"), "2026-05-01", "2026-05-01")
    page = user_client(app, "supervisor").get("/reports/credit?start=2026-05-02&end=2026-05-01")
    assert page.status_code == 422 and "截止日期不能早于起始日期" in page.get_data(as_text=True)
