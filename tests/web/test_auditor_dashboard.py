"""The auditor (纪检监察) on the supervisor's dashboard and board: read-only, only its regions, every view audited."""
from sqlalchemy import select

from extensions import db
from models import AuditRecord, Industry, User
from services.org import accounts
from services.stages import initiation
from tests.conftest import csrf_token, login
from tests.e2e.journey import user_client
from tests.services.draw_support import department, user


def _campaign(lead_code: str) -> str:
    industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
    lead = department(lead_code)
    campaign = initiation.open_campaign(user("supervisor"), kind="special", industry=industry, lead=lead,
                                        ratios={"A": 5, "B": 5, "C": 20, "D": 60},
                                        matters=[m for m in industry.matters if m.department_id == lead.id],
                                        special_reason="纪检监察看板测试")
    db.session.commit()
    return campaign.code


def test_auditor_sees_its_regions_dashboard_read_only_and_audited(app):
    with app.app_context():
        qichun, taihu = _campaign("scjg"), _campaign("th_scjg")
        accounts.create_account(None, username="th_auditor", password="Jijian2026abcd", roles=["auditor"],
                                region_code="340825")
        accounts.create_account(None, username="nowhere_auditor", password="Jijian2026abcd", roles=["auditor"])
        accounts.create_account(None, username="hg_auditor", password="Jijian2026abcd", roles=["auditor"],
                                region_code="421100")
        scjg_id = department("scjg").id
    auditor = user_client(app, "auditor")  # 蕲春's
    assert "督办看板" in auditor.get("/auditor/").get_data(as_text=True)
    page = auditor.get("/dashboard/").get_data(as_text=True)
    assert qichun in page and taihu not in page
    board = auditor.get("/board/")
    assert board.status_code == 200 and qichun in board.get_data(as_text=True)
    assert taihu not in board.get_data(as_text=True)
    remind = auditor.post(f"/board/departments/{scjg_id}/remind",
                          data={"csrf_token": csrf_token(auditor, "/board/"), "note": "请加快"})
    assert remind.status_code == 403
    with app.app_context():
        auditor_id = user("auditor").id
        paths = db.session.scalars(select(AuditRecord.detail).where(AuditRecord.actor_id == auditor_id,
                                                                    AuditRecord.action == "auditor.view")).all()
        assert "/dashboard/" in [p["path"] for p in paths] and "/board/" in [p["path"] for p in paths]
        assert db.session.scalar(select(AuditRecord.id).where(AuditRecord.actor_id == auditor_id,
                                                              AuditRecord.action.like("%remind%"))) is None

    other = app.test_client()
    login(other, "th_auditor", "Jijian2026abcd")
    page = other.get("/dashboard/").get_data(as_text=True)
    assert taihu in page and qichun not in page

    city = app.test_client()  # 黄冈市's auditor: its counties rolled up, 蕲春 included, not 太湖 (安庆)
    login(city, "hg_auditor", "Jijian2026abcd")
    page = city.get("/dashboard/").get_data(as_text=True)
    assert qichun in page and taihu not in page

    unassigned = app.test_client()
    login(unassigned, "nowhere_auditor", "Jijian2026abcd")
    refused = unassigned.get("/dashboard/")
    assert refused.status_code == 403 and "未指定管辖区划" in refused.get_data(as_text=True)
    assert unassigned.get("/board/").status_code == 403
    with app.app_context():
        assert db.session.scalars(select(User).where(User.username == "nowhere_auditor")).one().region_id is None
