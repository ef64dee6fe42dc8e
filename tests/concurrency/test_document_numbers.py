"""Twenty documents issued at once by one department on PostgreSQL: twenty consecutive numbers, none twice."""
import threading

from sqlalchemy import select

from extensions import db
from models import Document, Inspection, User
from services.documents import issuing
from tests import factories

THREADS = 20


def test_twenty_concurrent_issuances_are_numbered_without_gaps_or_duplicates(pg_app):
    campaign_id, _ = factories.campaign_at(pg_app, "inspected", enterprises=2)
    with pg_app.app_context():
        inspection_id = db.session.scalars(select(Inspection.id).where(Inspection.campaign_id == campaign_id)).first()
        lead_id = db.session.scalars(select(User.id).where(User.username == "scjg_01")).one()
    barrier, errors = threading.Barrier(THREADS), []

    def issue():
        with pg_app.app_context():
            try:
                barrier.wait(timeout=30)
                issuing.issue(db.session.get(User, lead_id), inspection_id, "inspection_record")
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with pg_app.app_context():
        documents = db.session.scalars(select(Document).order_by(Document.sequence)).all()
        assert [d.sequence for d in documents] == list(range(1, THREADS + 1))
        assert len({d.number for d in documents}) == THREADS
