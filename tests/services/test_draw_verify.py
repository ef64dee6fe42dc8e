"""Reproducibility: the same inputs and seed give the same draw on SQLite and PostgreSQL and after an
export/import round trip; the stored snapshot recomputes; redraw needs a second person."""
import json

import pytest
from sqlalchemy import select

from domain import draw as algorithm
from extensions import db
from models import Inspection, InspectionDraft, UserRole
from services.workflow import clock
from services.draw import stage as draw
from services.draw import records as draw_records
from services.draw import redraw as draw_redraw
from services.errors import Conflict, Forbidden
from tests.services.draw_support import campaign_ready, user

SEED = bytes(range(100, 132))


def _fixed_draw(app, monkeypatch) -> dict:
    monkeypatch.setattr(draw.secrets, "token_bytes", lambda n: SEED)
    with app.app_context():
        campaign = campaign_ready(partners=("wjw", "xf"), ratios={"A": 10, "B": 10, "C": 20, "D": 60})
        record = draw.perform(campaign, None)
        db.session.commit()
        assert record.status == "drawn"
        return json.loads(json.dumps(draw_records.export(record.id)))  # the export/import round trip


def test_same_draw_on_sqlite_and_postgresql_and_after_round_trip(app, pg_app, monkeypatch):
    on_sqlite = _fixed_draw(app, monkeypatch)
    on_postgres = _fixed_draw(pg_app, monkeypatch)
    assert on_sqlite["commitment"] == on_postgres["commitment"]
    assert on_sqlite["result"] == on_postgres["result"] and on_sqlite["result"]["enterprises"]
    assert algorithm.verify(on_sqlite) == [] and algorithm.verify(on_postgres) == []
    with app.app_context():
        assert draw_records.verify(on_sqlite["draw_id"]).status == "match"


def test_round_trip_recomputes_and_any_snapshot_change_breaks_the_commitment(app, monkeypatch):
    data = _fixed_draw(app, monkeypatch)
    recomputed = algorithm.run(data["params"], data["snapshot"], data["people"], bytes.fromhex(data["seed"]))
    assert recomputed == data["result"]
    some_class = next(c for c, v in data["snapshot"].items() if v)
    changed = {**data, "snapshot": {**data["snapshot"], some_class: data["snapshot"][some_class][1:]}}
    assert "候选名单快照与承诺不符" in algorithm.verify(changed)
    swapped = dict(data["snapshot"])
    swapped[some_class] = [data["snapshot"][some_class][0][:-1] + "X"] + data["snapshot"][some_class][1:]
    assert algorithm.snapshot_hash(swapped) != algorithm.snapshot_hash(data["snapshot"])


def test_stored_snapshot_is_compact(app, monkeypatch):
    data = _fixed_draw(app, monkeypatch)
    with app.app_context():
        record = draw_records.get(data["draw_id"])
        raw = len(json.dumps(data["snapshot"]))
        assert len(record.snapshot) < raw / 2
        assert draw.load_snapshot(record) == data["snapshot"]


def test_redraw_requester_cannot_approve_their_own_request(app):
    with app.app_context():
        campaign = campaign_ready()
        record = draw.perform(campaign, None)
        db.session.commit()
        lead = user("scjg_01")
        lead.roles.append(UserRole(role="supervisor"))
        db.session.commit()
        request = draw_redraw.request_redraw(lead, record.id, "抽取名单与登记信息不符")
        with pytest.raises(Forbidden):
            draw_redraw.decide(lead, request.id, True)
        with pytest.raises(Forbidden):
            draw_redraw.request_redraw(user("wjw_01"), record.id, "不是牵头部门")
        # 太湖's supervisor neither sees nor decides 蕲春's request; 蕲春's and 黄冈市's do see it.
        assert request not in draw_redraw.pending_requests(user("th_supervisor"))
        assert request in draw_redraw.pending_requests(user("hg_supervisor"))
        with pytest.raises(Forbidden, match="管辖区域"):
            draw_redraw.decide(user("th_supervisor"), request.id, True)
        assert request in draw_redraw.pending_requests(user("supervisor"))
        rejected = draw_redraw.decide(user("supervisor"), request.id, False, "理由不充分")
        assert rejected.status == "rejected" and draw.current_draw(campaign.id).id == record.id


def test_redraw_is_refused_once_an_officer_saved_a_draft(app):
    """A draft saved in the field is work that a redraw would silently throw away."""
    with app.app_context():
        campaign = campaign_ready()
        record = draw.perform(campaign, None)
        db.session.commit()
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign.id)).first()
        db.session.add(InspectionDraft(inspection_id=inspection.id, user_id=user("scjg_01").id,
                                       data={"note": "门店已到"}, saved_at=clock.now()))
        db.session.commit()
        request = draw_redraw.request_redraw(user("scjg_01"), record.id, "抽取名单与登记信息不符")
        with pytest.raises(Conflict, match="已经开始"):
            draw_redraw.decide(user("supervisor"), request.id, True)
        assert draw.current_draw(campaign.id).id == record.id
