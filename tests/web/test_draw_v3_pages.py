"""Draw v3 over HTTP: the commitment is public at once, the campaign waits at the draw stage until an auditor
of the region enters the public value (on or after the named date), then anyone recomputes the positions from
the public export and the auditor the whole draw from the full export; the CLI agrees."""
import json
import subprocess
import sys
import zlib
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from domain import draw as v2
from domain import draw_v3
from extensions import db
from models import AuditRecord, Draw, Inspection, Region, User, UserRole
from services.draw import sealed
from services.workflow import clock
from tests.conftest import csrf_token
from tests.e2e import journey
from tests.services.draw_support import officials
from tests.web.test_draw_pages import _draw_of, _stage, _to_draw

ROOT = Path(__file__).resolve().parents[2]
VALUE = "05 11 16 22 28 31 + 07"


def committed_v3(app, enterprises: int = 3):
    app.config["DRAW_ALGORITHM"] = draw_v3.ALGORITHM
    s, campaign_id = _to_draw(app, enterprises)
    journey.report_in(app, s, campaign_id)
    return s, campaign_id, _draw_of(app, campaign_id)


def enter_value(app, client, record: Draw, value: str = VALUE, day=None):
    token = csrf_token(client, f"/draws/{record.id}/full")
    return client.post(f"/draws/{record.id}/beacon", data={"csrf_token": token, "value": value,
                                                           "drawn_on": (day or clock.today()).isoformat()})


def test_v3_draw_waits_for_the_auditors_public_value_then_anyone_recomputes_it(app, tmp_path):
    s, campaign_id, record = committed_v3(app)
    assert record.status == "committed" and record.algorithm == draw_v3.ALGORITHM and record.seed == ""
    assert _stage(app, campaign_id) == "draw" and journey.open_tasks(app, campaign_id, "joint_inspection") == []
    anonymous = app.test_client()
    page = anonymous.get(f"/verify/draw/{record.id}").get_data(as_text=True)
    due = record.commitment_doc["beacon"]["date"]
    assert "verify-pending" in page and record.commitment in page and due in page and "双色球" in page
    lead = journey.user_client(app, "scjg_01")
    assert "等待纪检监察人员录入公开随机值" in lead.get(f"/draws/campaign/{campaign_id}").get_data(as_text=True)
    token = csrf_token(lead, f"/draws/campaign/{campaign_id}")
    assert lead.post(f"/draws/{record.id}/execute", data={"csrf_token": token}).status_code == 409
    assert lead.post(f"/draws/{record.id}/beacon", data={"csrf_token": token, "value": VALUE,
                                                         "drawn_on": due}).status_code == 403

    auditor = journey.user_client(app, "auditor")
    home = auditor.get("/auditor/").get_data(as_text=True)
    assert f"/draws/{record.id}/full" in home and due in home
    assert "录入并执行抽取" not in auditor.get(f"/draws/{record.id}/full").get_data(as_text=True)  # not yet
    early = enter_value(app, auditor, record)  # today is before the named date
    assert early.status_code == 422 and "不得早于" in early.get_data(as_text=True)
    clock.advance(timedelta(days=1))
    assert "录入并执行抽取" in auditor.get(f"/draws/{record.id}/full").get_data(as_text=True)
    for bad_value, day, message in (("   ", None, "请填写开奖号码"), ("x" * 201, None, "不超过"),
                                    (VALUE, clock.today() + timedelta(days=1), "不能晚于今天")):
        response = enter_value(app, auditor, record, bad_value, day)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Draw, record.id).beacon is None  # nothing stored by a refused entry
    assert enter_value(app, auditor, record).status_code == 302
    drawn = _draw_of(app, campaign_id)
    assert drawn.status == "drawn" and drawn.beacon["value"] == VALUE and len(drawn.seed) == 64
    assert _stage(app, campaign_id) == "joint_inspection"
    assert len(journey.open_tasks(app, campaign_id, "joint_inspection")) == 3
    assert enter_value(app, auditor, record).status_code == 409  # once

    page = anonymous.get(f"/verify/draw/{record.id}").get_data(as_text=True)
    assert "verify-match" in page and VALUE in page and drawn.seed in page
    public = anonymous.get(f"/verify/draw/{record.id}.json").data
    (tmp_path / "public.json").write_bytes(public)
    ok = subprocess.run([sys.executable, str(ROOT / "domain" / "draw.py"), str(tmp_path / "public.json")],
                        capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    tampered = json.loads(public)
    label = next(c for c, p in tampered["positions"].items() if p)
    tampered["positions"][label][0] += 1
    (tmp_path / "public.json").write_text(json.dumps(tampered), encoding="utf-8")
    bad = subprocess.run([sys.executable, str(ROOT / "domain" / "draw.py"), str(tmp_path / "public.json")],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "不一致" in bad.stdout

    full = auditor.get(f"/draws/{record.id}/full.json")
    assert full.status_code == 200
    (tmp_path / "full.json").write_bytes(full.data)
    assert subprocess.run([sys.executable, str(ROOT / "domain" / "draw.py"), str(tmp_path / "full.json")],
                          capture_output=True, text=True).returncode == 0
    data = json.loads(full.data)
    with app.app_context():
        inspected = {i.enterprise.uscc for i in db.session.scalars(
            select(Inspection).where(Inspection.campaign_id == campaign_id))}
        assert {e["uscc"] for e in data["result"]["enterprises"]} == inspected
        assert db.session.scalars(select(AuditRecord).where(AuditRecord.action == "draw.export_full",
                                                            AuditRecord.object_id == record.id)).first()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["draw", "verify", str(record.id)]).exit_code == 0
    with app.app_context():  # a stored salt changed: the lists no longer match the published roots
        stored = db.session.get(Draw, record.id)
        lists, people_salt = sealed.load(stored)
        label = next(c for c, v in lists.items() if v)
        lists[label][0] = (lists[label][0][0], b"\x00" * 16)
        stored.snapshot = zlib.compress(v2.canonical_json({
            "classes": {c: [[u, s.hex()] for u, s in v] for c, v in lists.items()}, "people_salt": people_salt.hex()}))
        db.session.commit()
    assert runner.invoke(args=["draw", "verify", str(record.id)]).exit_code == 1
    assert "verify-mismatch" in auditor.get(f"/draws/{record.id}/full").get_data(as_text=True)


def test_only_an_auditor_of_the_campaigns_region_enters_the_value_or_sees_the_whole_draw(app):
    _, campaign_id, record = committed_v3(app)
    clock.advance(timedelta(days=1))
    with app.app_context():
        # 太湖: outside 蕲春's subtree (an auditor of 蕲春's city or province would cover 蕲春's campaigns)
        elsewhere = db.session.scalars(select(Region).where(Region.code == "340825")).one()
        db.session.add(User(username="auditor_th", display_name="外地纪检", password_hash=db.session.get(
            User, journey_user_id("auditor")).password_hash, region_id=elsewhere.id, roles=[UserRole(role="auditor")]))
        db.session.commit()
    outsider = journey.user_client(app, "auditor_th")
    assert outsider.get(f"/draws/{record.id}/full").status_code == 403
    assert outsider.get(f"/draws/{record.id}/full.json").status_code == 403
    assert outsider.get(f"/campaigns/{campaign_id}").status_code == 403
    assert enter_value(app, outsider, record).status_code in (400, 403)  # no form for it: no token page either
    official = journey.user_client(app, "wjw_01")
    assert official.get(f"/draws/{record.id}/full").status_code == 403
    supervisor = journey.user_client(app, "supervisor")
    assert supervisor.get(f"/draws/{record.id}/full").status_code == 200
    assert "录入并执行抽取" not in supervisor.get(f"/draws/{record.id}/full").get_data(as_text=True)
    assert _draw_of(app, campaign_id).status == "committed"


def journey_user_id(username: str) -> int:
    return db.session.scalars(select(User.id).where(User.username == username)).one()


def test_v3_draw_short_of_officers_fails_at_once_and_names_no_candidate(app):
    app.config["DRAW_ALGORITHM"] = draw_v3.ALGORITHM
    s, campaign_id = _to_draw(app)
    with app.app_context():
        for person in officials("scjg"):
            person.active = False
        db.session.commit()
    journey.report_in(app, s, campaign_id, decline_last=False)
    record = _draw_of(app, campaign_id)
    assert record.status == "failed" and record.beacon is None and "在岗执法人员 0 名" in record.failure
    page = app.test_client().get(f"/verify/draw/{record.id}").get_data(as_text=True)
    assert "verify-unseeded" in page and "在岗执法人员 0 名" in page
    assert json.loads(app.test_client().get(f"/verify/draw/{record.id}.json").data)["positions"] is None
    with app.app_context():
        assert db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).all() == []
