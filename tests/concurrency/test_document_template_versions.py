"""Admins saving one region's template at once on PostgreSQL: every stored version is distinct and they follow
on from 1; a save that loses the race is refused as a conflict (nothing of it stored), never a server error."""
import threading

from sqlalchemy import select

from extensions import db
from models import DocumentTemplate, User
from services.documents import builtin, templates
from services.errors import Conflict

THREADS = 6


def test_concurrent_saves_never_share_a_version(pg_app):
    with pg_app.app_context():
        admin_id = db.session.scalars(select(User.id).where(User.username == "admin")).one()
        region_id = db.session.scalars(select(User).where(User.username == "scjg_01")).one().department.region_id
    barrier, saved, conflicts, errors = threading.Barrier(THREADS), [], [], []

    def save(n: int):
        with pg_app.app_context():
            try:
                barrier.wait(timeout=30)
                source = builtin.BODIES["result_notice"] + f"第 {n} 稿\n"
                saved.append(templates.save(db.session.get(User, admin_id), region_id, "result_notice", source).version)
            except Conflict:
                conflicts.append(n)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(saved) + len(conflicts) == THREADS and saved
    with pg_app.app_context():
        versions = db.session.scalars(select(DocumentTemplate.version).order_by(DocumentTemplate.version)).all()
    assert versions == sorted(saved) == list(range(1, len(saved) + 1))
