"""Draw v3 through the services, on SQLite and PostgreSQL: the same committed inputs, salts and public value give
the same commitment, positions and draw on both; the exports survive a JSON round trip and verify; nothing is
drawn and no inspection opened before the public value."""
import itertools
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain import draw_v3
from extensions import db
from models import Inspection
from services.draw import beacon, disclosure, records
from services.draw import sealed
from services.draw import stage as draw
from services.errors import Conflict, Forbidden, ValidationFailed
from services.workflow import clock
from tests.services.draw_support import campaign_ready, user

VALUE = "02 08 13 19 24 33 + 05"


def _v3_draw(app, monkeypatch) -> tuple[dict, dict]:
    counter = itertools.count()
    monkeypatch.setattr(sealed.secrets, "token_bytes", lambda n: next(counter).to_bytes(n, "big"))
    app.config["DRAW_ALGORITHM"] = draw_v3.ALGORITHM
    clock.reset()
    with app.app_context():
        campaign = campaign_ready(partners=("wjw", "xf"), ratios={"A": 10, "B": 10, "C": 20, "D": 60})
        record = draw.perform(campaign, None)
        db.session.commit()
        assert record.status == "committed" and record.seed == "" and not record.enterprises
        assert db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign.id)).all() == []
        assert disclosure.verify(record.id).status == "pending"
        auditor = user("auditor")
        with_date = record.commitment_doc["beacon"]["date"]
        with pytest.raises(ValidationFailed) as refused:  # today is before the named date (and its draw)
            beacon.enter(auditor, record.id, VALUE, with_date)
        assert set(refused.value.errors) == {"drawn_on"}
        db.session.rollback()
        assert db.session.get(type(record), record.id).beacon is None
        clock.advance(timedelta(days=1))
        with pytest.raises(Forbidden):
            beacon.enter(user("supervisor"), record.id, VALUE, with_date)
        db.session.rollback()
        beacon.enter(auditor, record.id, VALUE, with_date)
        assert record.status == "drawn"
        with pytest.raises(Conflict):
            beacon.enter(auditor, record.id, VALUE, with_date)
        db.session.rollback()
        public = json.loads(json.dumps(disclosure.export(record.id)))
        full = json.loads(json.dumps(records.export(record.id)))
        assert disclosure.verify(record.id).status == "match" and records.verify(record.id).status == "match"
    clock.reset()
    return public, full


def test_same_v3_draw_on_sqlite_and_postgresql_and_after_round_trip(app, pg_app, monkeypatch):
    on_sqlite = _v3_draw(app, monkeypatch)
    on_postgres = _v3_draw(pg_app, monkeypatch)
    for (public, full) in (on_sqlite, on_postgres):
        assert draw_v3.verify(public) == [] and draw_v3.verify(full) == []
        assert "candidates" not in public and "people" not in public and "result" not in public
    assert on_sqlite[0]["commitment"] == on_postgres[0]["commitment"]
    assert on_sqlite[0]["positions"] == on_postgres[0]["positions"] and any(on_sqlite[0]["positions"].values())
    assert on_sqlite[1]["result"] == on_postgres[1]["result"]
