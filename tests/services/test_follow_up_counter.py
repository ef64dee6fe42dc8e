"""Closing follow-ups counts down one row: of two closing at once on PostgreSQL, exactly one sends the message."""
import threading

from sqlalchemy import select

from extensions import db
from models import Diagnosis, User
from services.stages import follow_up
from services.workflow import runtime
from tests.services import report_dataset


def test_last_two_follow_ups_closing_together_send_one_message(pg_app, monkeypatch):
    with pg_app.app_context():
        ids = report_dataset.build()
        user = db.session.scalars(select(User).where(User.username == "scjg_01")).one()
        db.session.add(Diagnosis(campaign_id=ids["campaign_id"], assessment="—", open_follow_ups=2,
                                 recorded_by_id=user.id, recorded_at=report_dataset.T0))
        db.session.commit()
    sent: list[int] = []
    monkeypatch.setattr(runtime, "campaign_instance", lambda campaign_id: campaign_id)
    monkeypatch.setattr(runtime, "send_message", lambda instance, name, payload=None: sent.append(instance))
    barrier = threading.Barrier(2)

    def close_one():
        with pg_app.app_context():
            barrier.wait()
            follow_up._count_down(ids["campaign_id"])
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=close_one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sent == [ids["campaign_id"]]
    with pg_app.app_context():
        assert db.session.scalars(select(Diagnosis)).one().open_follow_ups == 0
