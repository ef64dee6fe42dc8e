"""reading(): without a replica it reads from the primary, and in every configuration it refuses to write."""
import pytest
from sqlalchemy import select, update

from extensions import db
from models import Region
from services import reading


def test_reading_without_a_replica_reads_the_primary_and_sees_pending_changes(app):
    with app.app_context():
        assert not reading.replica_configured()
        region = db.session.scalars(select(Region).order_by(Region.id)).first()
        region.name = "改名后的区县"  # pending: reading() flushes it first, as autoflush would
        with reading.reading():
            assert db.session.scalar(select(Region.name).where(Region.id == region.id)) == "改名后的区县"
        db.session.rollback()


@pytest.mark.parametrize("write", ["flush", "commit", "update"])
def test_a_write_inside_reading_is_refused(app, write):
    with app.app_context():
        region = db.session.scalars(select(Region).order_by(Region.id)).first()
        with reading.reading(), pytest.raises(reading.ReadOnlyViolation):
            if write == "update":
                db.session.execute(update(Region).where(Region.id == region.id).values(name="x"))
            else:
                region.name = "x"
                getattr(db.session, write)()
        db.session.rollback()
        assert db.session.get(Region, region.id).name != "x"


def test_a_read_only_service_runs_inside_reading(app):
    calls = []

    @reading.read_only
    def service():
        calls.append(reading.reading_active())
        return 1

    with app.app_context():
        assert service() == 1 and calls == [True] and not reading.reading_active()
