"""The 公开 the rules ask for before anyone is inspected: the year's 抽查计划 and the 随机抽查事项清单, as pages and
XLSX downloads with the date each was published; no enterprise named, no draft entry shown. In English too."""
import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from extensions import db
from models import Campaign, Enterprise, Matter, PlanEntry
from services.workflow import clock
from tests.e2e import journey
from tests.web.test_draw_v3_pages import committed_v3, enter_value
from tests.web.test_i18n import assert_english, english_client, stored_strings


def test_the_years_plan_is_public_once_approved_with_its_date_and_no_enterprise(app):
    s = journey.scope(app, 3)
    _, campaign_id = journey.plan_and_approve(app, s)
    anonymous = app.test_client()
    page = anonymous.get("/public/plan/").get_data(as_text=True)
    with app.app_context():
        entry = db.session.get(Campaign, campaign_id).plan_entry
        industry, lead = entry.industry.name, entry.lead_department.name
        partners = [d.name for d in entry.partners]
        matters = [m.name for m in entry.matters]
        published = clock.local_date(entry.approved_at).isoformat()
        names = list(db.session.scalars(select(Enterprise.name).where(Enterprise.industry_id == entry.industry_id)))
    assert industry in page and lead in page and all(p in page for p in partners)
    assert all(m in page for m in matters) and published in page and "第二季度" in page and "实地检查" in page
    assert not any(n in page for n in names)
    with app.app_context():  # a draft entry is not public
        draft = PlanEntry(year=date.today().year, industry_id=entry.industry_id, lead_department_id=entry.lead_department_id,
                          ratios={"A": 3}, method="书面检查", timing="草稿时间安排", status="draft",
                          created_by_id=entry.created_by_id, created_at=clock.now())
        db.session.add(draft)
        db.session.commit()
    assert "草稿时间安排" not in anonymous.get("/public/plan/").get_data(as_text=True)
    book = load_workbook(io.BytesIO(anonymous.get(f"/public/plan/{date.today().year}.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "行业" and rows[0][-1] == "公布日期"
    assert any(industry in (r[0] or "") and r[-1] == published for r in rows[1:])
    assert not any("草稿时间安排" in str(v) for r in rows for v in r)
    empty = anonymous.get(f"/public/plan/?year={date.today().year + 5}").get_data(as_text=True)
    assert "该年度尚无公布的抽查计划" in empty
    assert_english(english_client(app).get("/public/plan/"), stored_strings(app))


def test_the_matter_list_is_public_with_legal_basis_method_and_date(app):
    anonymous = app.test_client()
    page = anonymous.get("/public/matters/").get_data(as_text=True)
    with app.app_context():
        matters = db.session.scalars(select(Matter).where(Matter.active.is_(True))).all()
        assert matters and all(m.published_at is not None for m in matters)
        sample = matters[0]
        name, basis = sample.name, sample.legal_basis
        inactive = Matter(code="TEST-OFF", department_id=sample.department_id, name="已停用的测试事项",
                          legal_basis="无", method="书面检查", active=False)
        db.session.add(inactive)
        db.session.commit()
        assert inactive.published_at is not None  # stamped on insert by whoever inserts it
    assert name in page and basis in page
    assert "已停用的测试事项" not in anonymous.get("/public/matters/").get_data(as_text=True)
    book = load_workbook(io.BytesIO(anonymous.get("/public/matters.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("部门", "事项编码", "抽查事项", "法律依据", "检查方式", "公布日期")
    assert any(r[2] == name and r[3] == basis and r[5] for r in rows[1:])
    assert_english(english_client(app).get("/public/matters/"), stored_strings(app))


def test_v3_verify_auditor_and_full_pages_in_english(app):
    _, campaign_id, record = committed_v3(app)
    data = stored_strings(app) + [record.commitment_doc["beacon"]["source"]]
    assert_english(english_client(app).get(f"/verify/draw/{record.id}"), data)
    auditor = english_client(app, "auditor")
    assert_english(auditor.get("/auditor/"), data)
    clock.advance(timedelta(days=1))
    assert_english(auditor.get(f"/draws/{record.id}/full"), data)
    refused = enter_value(app, auditor, record, value="   ")
    assert refused.status_code == 422 and "Enter the winning numbers" in refused.get_data(as_text=True)
    assert_english(refused, data)
    assert enter_value(app, auditor, record).status_code == 302
    assert_english(english_client(app).get(f"/verify/draw/{record.id}"), data + ["05 11 16 22 28 31 + 07"])
    assert_english(auditor.get(f"/draws/{record.id}/full"), data)
