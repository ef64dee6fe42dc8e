"""The auditor (纪检监察/督查): sees everything of its region, changes nothing (every POST but the public value is
refused), and every page or file it opens is in the audit log."""
from flask import url_for
from sqlalchemy import select

from extensions import db
from models import AuditRecord, Campaign, Draw, Enterprise, Inspection, User
from services.draw import stage
from tests.conftest import csrf_token
from tests.e2e import journey
from tests.web.test_draw_pages import _draw_of, _to_draw
from web.auditor.routes import WRITES_ALLOWED


def _drawn_campaign(app) -> tuple[int, Draw]:
    s, campaign_id = _to_draw(app)
    journey.report_in(app, s, campaign_id)
    return campaign_id, _draw_of(app, campaign_id)


def test_auditor_sees_the_whole_draw_of_its_region_and_each_view_is_audited(app):
    campaign_id, record = _drawn_campaign(app)
    auditor = journey.user_client(app, "auditor")
    assert auditor.get("/", follow_redirects=False).headers["Location"].endswith("/auditor/")
    home = auditor.get("/auditor/").get_data(as_text=True)
    assert f"/draws/{record.id}/full" in home and "纪检监察" in home
    campaign_page = auditor.get(f"/campaigns/{campaign_id}")
    assert campaign_page.status_code == 200
    with app.app_context():
        code = db.session.get(Campaign, campaign_id).code
        drawn = db.session.get(Draw, record.id).enterprises
        names = [(d.enterprise.uscc, d.enterprise.name, d.credit_class) for d in drawn]
        officer = db.session.get(User, drawn[0].officers[0][1])
        officer_name, cert = officer.display_name, officer.cert_no
    assert code in auditor.get("/campaigns/").get_data(as_text=True)
    full = auditor.get(f"/draws/{record.id}/full").get_data(as_text=True)
    assert "verify-match" in full and officer_name in full and cert in full
    for uscc, name, credit_class in names:
        assert uscc in full and name in full and f"<td>{credit_class} 类</td>" in full
    assert "名单与名录库核对" in full and "名录库中不存在：0 户" in full
    assert auditor.get(f"/draws/{record.id}/full.json").get_json()["result"]["enterprises"]
    assert auditor.get(f"/draws/{record.id}/list.xlsx").status_code == 200
    with app.app_context():
        inspection_id = db.session.scalars(select(Inspection.id).where(Inspection.campaign_id == campaign_id)).first()
    assert auditor.get(f"/inbox/inspections/{inspection_id}").status_code == 200
    with app.app_context():
        auditor_id = db.session.scalars(select(User.id).where(User.username == "auditor")).one()
        views = db.session.scalars(select(AuditRecord).where(AuditRecord.actor_id == auditor_id,
                                                             AuditRecord.action == "auditor.view")).all()
        paths = [v.detail["path"] for v in views]
    for path in ("/auditor/", f"/campaigns/{campaign_id}", f"/draws/{record.id}/full", f"/inbox/inspections/{inspection_id}",
                 f"/draws/{record.id}/full.json", f"/draws/{record.id}/list.xlsx"):
        assert path in paths, (path, paths)
    # an official's visits are not recorded this way
    journey.user_client(app, "scjg_01").get(f"/draws/campaign/{campaign_id}")
    with app.app_context():
        assert db.session.scalars(select(AuditRecord.actor_id).where(AuditRecord.action == "auditor.view")
                                  .distinct()).all() == [auditor_id]


def test_every_post_but_the_public_value_is_refused_to_the_auditor(app):
    campaign_id, record = _drawn_campaign(app)
    auditor = journey.user_client(app, "auditor")
    token = csrf_token(auditor, "/auditor/")
    with app.app_context():
        count_before = db.session.query(AuditRecord).filter(AuditRecord.action != "auditor.view").count()
        draws_before = db.session.query(Draw).count()
    refused = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in WRITES_ALLOWED:
            continue
        args = {a: (record.id if a == "draw_id" else campaign_id if a == "campaign_id" else 1)
                for a in rule.arguments}
        with app.test_request_context():
            url = url_for(rule.endpoint, **{a: ("x" if str(rule).find(f"<{a}>") >= 0 else v) for a, v in args.items()})
        response = auditor.post(url, data={"csrf_token": token, "reason": "审计", "decision": "approve"})
        if rule.endpoint.startswith("api."):  # bearer-token API: no session, refused before any change
            assert response.status_code in (400, 401, 403, 415, 422), (url, response.status_code)
            continue
        assert response.status_code == 403, (url, response.status_code)
        assert "只能查看" in response.get_data(as_text=True)
        refused += 1
    assert refused > 40
    with app.app_context():
        assert db.session.query(AuditRecord).filter(AuditRecord.action != "auditor.view").count() == count_before
        assert db.session.query(Draw).count() == draws_before
    # signing out still works
    assert auditor.post("/auth/logout", data={"csrf_token": token}).status_code == 302


def test_the_full_view_checks_the_committed_lists_against_the_directory(app):
    campaign_id, record = _drawn_campaign(app)
    with app.app_context():
        listed = stage.load_snapshot(db.session.get(Draw, record.id))
        label = next(c for c, v in listed.items() if v)
        reclassed, closed = listed[label][0], listed[label][-1]
        other = "D" if label != "D" else "A"
        db.session.scalars(select(Enterprise).where(Enterprise.uscc == reclassed)).one().credit_class = other
        db.session.scalars(select(Enterprise).where(Enterprise.uscc == closed)).one().status = "注销"
        db.session.commit()
    page = journey.user_client(app, "auditor").get(f"/draws/{record.id}/full").get_data(as_text=True)
    assert "分类与名单不同：1 户" in page and f"{reclassed}" in page and f"{label} → {other}" in page
    assert "现已非存续：1 户" in page and closed in page
    assert "verify-match" in page  # the draw itself still recomputes: the lists are the committed ones
