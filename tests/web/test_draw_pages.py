"""The draw over HTTP: public verification, export and the standalone verifier, XLSX, failure and retry,
redraw with approval, the reveal delay; CLI verify."""
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from extensions import db
from models import Campaign, Draw, DrawnEnterprise, Inspection, User
from services.workflow import clock
from services.workflow import timers
from tests import factories
from tests.e2e import journey
from tests.services.draw_support import officials

ROOT = Path(__file__).resolve().parents[2]


def _to_draw(app, enterprises: int = 3):
    s = factories.scope(app, enterprises)
    campaign_id = factories.plan_and_approve(app, s)
    factories.initiate(app, s, campaign_id)
    return s, campaign_id


def _draw_of(app, campaign_id: int) -> Draw:
    with app.app_context():
        return db.session.scalars(select(Draw).where(Draw.campaign_id == campaign_id).order_by(Draw.id.desc())).first()


def _stage(app, campaign_id: int) -> str:
    with app.app_context():
        return db.session.get(Campaign, campaign_id).stage


def test_public_page_full_export_cli_and_standalone_verifier_agree(app, tmp_path):
    """A v2 draw: the public page shows the platform's recomputation; the full export (supervisor) recomputes
    alone with the standalone verifier; the public export carries no list and says it cannot be recomputed."""
    s, campaign_id = _to_draw(app)
    factories.report_in(app, s, campaign_id)
    record = _draw_of(app, campaign_id)
    assert record.status == "drawn"
    anonymous = app.test_client()
    page = anonymous.get(f"/verify/draw/{record.id}").get_data(as_text=True)
    assert "verify-match" in page and record.commitment in page and record.seed in page
    assert f"/verify/draw/{record.id}" in anonymous.get("/verify/").get_data(as_text=True)
    public = json.loads(anonymous.get(f"/verify/draw/{record.id}.json").data)
    assert public["seed"] == record.seed and "snapshot" not in public and "people" not in public
    assert "result" not in public and public["drawn"] == 3
    (tmp_path / "public.json").write_text(json.dumps(public), encoding="utf-8")
    cannot = subprocess.run([sys.executable, str(ROOT / "domain" / "draw.py"), str(tmp_path / "public.json")],
                            capture_output=True, text=True)
    assert cannot.returncode == 1 and "无法独立重算" in cannot.stdout
    assert anonymous.get(f"/draws/{record.id}/full.json").status_code == 302  # to the login page
    supervisor = journey.user_client(app, "supervisor")
    export = supervisor.get(f"/draws/{record.id}/full.json")
    path = tmp_path / "draw.json"
    path.write_bytes(export.data)
    data = json.loads(export.data)
    assert len(data["result"]["enterprises"]) == 3 and data["seed"] == record.seed
    # The standalone verifier: the reference module run alone, by path, outside the app.
    ok = subprocess.run([sys.executable, str(ROOT / "domain" / "draw.py"), str(path)], capture_output=True, text=True,
                        cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    data["result"]["enterprises"][0]["officers"][0][1] += 1
    path.write_text(json.dumps(data))
    bad = subprocess.run([sys.executable, str(ROOT / "domain" / "draw.py"), str(path)], capture_output=True, text=True)
    assert bad.returncode == 1 and "不一致" in bad.stdout
    runner = app.test_cli_runner()
    assert runner.invoke(args=["draw", "verify", str(record.id)]).exit_code == 0
    out = runner.invoke(args=["draw", "export", str(record.id)])
    assert out.exit_code == 0 and json.loads(out.output)["commitment"]["sha256"] == record.commitment
    with app.app_context():  # tamper with the stored list: both the CLI and the page notice
        drawn = db.session.scalars(select(DrawnEnterprise).where(DrawnEnterprise.draw_id == record.id)).first()
        drawn.officers = list(reversed(drawn.officers))
        db.session.commit()
    assert runner.invoke(args=["draw", "verify", str(record.id)]).exit_code == 1
    assert "verify-mismatch" in anonymous.get(f"/verify/draw/{record.id}").get_data(as_text=True)
    assert runner.invoke(args=["draw", "verify", "99999"]).exit_code == 2


def test_named_list_xlsx_is_for_the_campaign_and_the_public_xlsx_names_nobody(app):
    s, campaign_id = _to_draw(app)
    factories.report_in(app, s, campaign_id)
    record = _draw_of(app, campaign_id)
    lead = journey.user_client(app, "scjg_01")
    response = lead.get(f"/draws/{record.id}/list.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["抽取结果"]
    rows = list(sheet.iter_rows(values_only=True))
    with app.app_context():
        inspections = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).all()
        expected = {i.enterprise.uscc: {o.user.display_name for o in i.officers} for i in inspections}
    assert {r[1] for r in rows[1:]} == set(expected)
    for row in rows[1:]:
        assert all(name in row[4] for name in expected[row[1]])
    assert journey.user_client(app, "hb_01").get(f"/draws/{record.id}/list.xlsx").status_code == 403
    public = app.test_client().get(f"/verify/draw/{record.id}.xlsx")
    book = load_workbook(io.BytesIO(public.data))
    text = " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    assert record.commitment in text and not any(uscc in text for uscc in expected)
    assert not any(name in text for names in expected.values() for name in names)


def test_failed_draw_is_visible_and_retry_after_fixing_officers(app):
    s, campaign_id = _to_draw(app)
    with app.app_context():  # after the whistle, the lead department's officers all go off duty
        lead_people = [u.id for u in officials("scjg")]
        for person in officials("scjg"):
            person.active = False
        db.session.commit()
    factories.report_in(app, s, campaign_id, decline_last=False)  # the report-in itself succeeds
    record = _draw_of(app, campaign_id)
    assert record.status == "failed" and "蕲春县市场监督管理局」在岗执法人员 0 名" in record.failure
    assert _stage(app, campaign_id) == "draw"  # parked at await_draw, not shown as inspecting
    with app.app_context():
        assert db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).all() == []
    partner = journey.user_client(app, s["partner_users"][s["partners"][0]])
    page = partner.get(f"/draws/campaign/{campaign_id}").get_data(as_text=True)
    assert "抽取失败" in page and "在岗执法人员 0 名" in page and "由牵头部门调整后重新抽取" in page
    detail = partner.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "双随机抽取失败" in detail and "在岗执法人员 0 名" in detail
    assert "verify-match" in app.test_client().get(f"/verify/draw/{record.id}").get_data(as_text=True)
    with app.app_context():
        for person_id in lead_people:
            db.session.get(User, person_id).active = True
        db.session.commit()
    lead = journey.user_client(app, "scjg_01")
    token = journey.csrf_token(lead, f"/draws/campaign/{campaign_id}")
    assert lead.post(f"/draws/campaign/{campaign_id}/retry", data={"csrf_token": token}).status_code == 302
    assert _draw_of(app, campaign_id).status == "drawn"
    assert len(journey.open_tasks(app, campaign_id, "joint_inspection")) == 3


def test_redraw_needs_a_reason_and_a_supervisor_and_keeps_the_first_draw_public(app):
    s, campaign_id = _to_draw(app)
    factories.report_in(app, s, campaign_id)
    first = _draw_of(app, campaign_id)
    lead = journey.user_client(app, "scjg_01")
    token = journey.csrf_token(lead, f"/draws/campaign/{campaign_id}")
    assert lead.post(f"/draws/{first.id}/redraw", data={"csrf_token": token, "reason": ""}).status_code == 422
    assert lead.post(f"/draws/{first.id}/redraw", data={"csrf_token": token, "reason": "名单中一户已于抽取前注销，登记未及时更新"}).status_code == 302
    assert lead.get("/draws/redraws").status_code == 403
    supervisor = journey.user_client(app, "supervisor")
    page = supervisor.get("/draws/redraws").get_data(as_text=True)
    assert "登记未及时更新" in page
    with app.app_context():
        from models import RedrawRequest
        request_id = db.session.scalars(select(RedrawRequest.id)).one()
    token = journey.csrf_token(supervisor, "/draws/redraws")
    response = supervisor.post(f"/draws/redraws/{request_id}", data={"csrf_token": token, "decision": "approve"})
    assert response.status_code == 302
    second = _draw_of(app, campaign_id)
    assert second.id != first.id and second.supersedes_id == first.id and second.status == "drawn"
    with app.app_context():
        assert db.session.get(Draw, first.id).status == "superseded"
        assert len(db.session.get(Draw, first.id).enterprises) == 3  # the first list stays on record
        inspections = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).all()
        assert sorted(i.enterprise_id for i in inspections) == sorted(
            d.enterprise_id for d in db.session.get(Draw, second.id).enterprises)
    public = app.test_client().get(f"/verify/draw/{first.id}").get_data(as_text=True)
    assert "已被重新抽取取代" in public and "verify-match" in public
    assert "登记未及时更新" not in public  # the reason is about the drawn list: only its status is public
    assert len(journey.open_tasks(app, campaign_id, "joint_inspection")) == 3


def test_reveal_delay_publishes_the_commitment_before_the_seed_is_used(app, tmp_path):
    app.config["DRAW_REVEAL_DELAY_MINUTES"] = 30
    s, campaign_id = _to_draw(app)
    factories.report_in(app, s, campaign_id)
    record = _draw_of(app, campaign_id)
    assert record.status == "committed" and _stage(app, campaign_id) == "draw"
    page = app.test_client().get(f"/verify/draw/{record.id}").get_data(as_text=True)
    assert "verify-pending" in page and record.commitment in page and record.seed not in page
    pending = app.test_client().get(f"/verify/draw/{record.id}.json").data
    assert json.loads(pending)["seed"] is None
    (tmp_path / "pending.json").write_bytes(pending)
    standalone = subprocess.run([sys.executable, str(ROOT / "domain" / "draw.py"), str(tmp_path / "pending.json")],
                                capture_output=True, text=True)
    assert standalone.returncode == 1 and "无法独立重算" in standalone.stdout
    assert journey.open_tasks(app, campaign_id, "joint_inspection") == []
    lead = journey.user_client(app, "scjg_01")
    token = journey.csrf_token(lead, f"/draws/campaign/{campaign_id}")
    assert "承诺已公布，待执行" in lead.get(f"/draws/campaign/{campaign_id}").get_data(as_text=True)
    assert lead.post(f"/draws/{record.id}/execute", data={"csrf_token": token}).status_code == 409
    clock.advance(timedelta(minutes=31))
    with app.app_context():
        assert timers.fire_due() == 1
    assert _draw_of(app, campaign_id).status == "drawn"
    assert "verify-match" in app.test_client().get(f"/verify/draw/{record.id}").get_data(as_text=True)
    assert len(journey.open_tasks(app, campaign_id, "joint_inspection")) == 3
    assert _stage(app, campaign_id) == "joint_inspection"


def test_draw_pages_need_a_participating_department(app):
    s, campaign_id = _to_draw(app)
    factories.report_in(app, s, campaign_id)
    outsider = journey.user_client(app, "hb_01")
    assert outsider.get(f"/draws/campaign/{campaign_id}").status_code == 403
    assert app.test_client().get(f"/draws/campaign/{campaign_id}").status_code == 302  # to the login page
    record = _draw_of(app, campaign_id)
    partner = journey.user_client(app, s["partner_users"][s["partners"][0]])
    token = journey.csrf_token(partner, f"/draws/campaign/{campaign_id}")
    assert partner.post(f"/draws/{record.id}/redraw", data={"csrf_token": token, "reason": "配合部门无权申请"}).status_code == 403
    assert partner.post(f"/draws/campaign/{campaign_id}/retry", data={"csrf_token": token}).status_code == 403
