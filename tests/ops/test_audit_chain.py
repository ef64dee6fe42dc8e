"""The audit log is append-only and hash-chained; `flask audit verify` finds the first tampered or missing record."""
import threading

import pytest
from sqlalchemy import func, select, text

from extensions import db
from models import AuditChainHead, AuditRecord
from services import audit
from tests.ops.audit_helpers import _dba, _seq_ids, _verify, _write


def test_records_are_chained_and_verify(app):
    _write(app, 5)
    code, output = _verify(app)
    assert code == 0, output
    assert "audit chain intact" in output
    with app.app_context():
        rows = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))
        head = db.session.get(AuditChainHead, 1)
        assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].hash)
        assert rows[-1].detail == {"note": "第4次", "values": [1, 2]}


def test_rolled_back_change_leaves_no_record(app):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditRecord))
        audit.record(None, "test.event", "user", 1)
        db.session.rollback()
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(AuditRecord)) == before


@pytest.mark.parametrize("statement", ["UPDATE audit_record SET action = 'forged'", "DELETE FROM audit_record"])
def test_trigger_refuses_update_and_delete_sqlite(app, statement):
    _write(app, 1)
    with app.app_context():
        with pytest.raises(Exception, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement))


def test_verify_reports_the_first_altered_record_sqlite(app):
    _write(app, 6)
    (seq, record_id) = _seq_ids(app)[2]
    _dba(app, f"UPDATE audit_record SET detail = '{{\"note\": \"改过\"}}' WHERE id = {record_id}")
    code, output = _verify(app)
    assert code == 1
    assert f"seq={seq} id={record_id}" in output and "hash mismatch" in output


def test_verify_reports_a_forged_hash_as_a_broken_link(app):
    _write(app, 4)
    rows = _seq_ids(app)
    (seq, record_id) = rows[1]
    # The forger recomputes nothing cleverly: sets a plausible hash; the next record no longer links.
    _dba(app, f"UPDATE audit_record SET hash = '{'a' * 64}' WHERE id = {record_id}")
    code, output = _verify(app)
    assert code == 1 and f"seq={seq} id={record_id}" in output


def test_verify_reports_deleted_records_sqlite(app):
    _write(app, 5)
    rows = _seq_ids(app)
    _dba(app, f"DELETE FROM audit_record WHERE id = {rows[1][1]}")
    code, output = _verify(app)
    assert code == 1 and f"missing record) seq {rows[1][0]}" in output


def test_verify_reports_the_newest_record_deleted(app):
    _write(app, 3)
    last_seq, last_id = _seq_ids(app)[-1]
    _dba(app, f"DELETE FROM audit_record WHERE id = {last_id}")
    code, output = _verify(app)
    assert code == 1 and f"seq {last_seq}" in output and "chain head" in output


def test_postgres_trigger_verify_and_concurrent_appenders(pg_app):
    # 20 writers x 5 commits at once: the chain stays one line, gapless, every link right.
    threads = [threading.Thread(target=_write, args=(pg_app, 5)) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = _seq_ids(pg_app)
    assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1)) and len(rows) >= 100
    assert _verify(pg_app)[0] == 0

    with pg_app.app_context():
        with pytest.raises(Exception, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE audit_record SET action = 'forged'"))
        with pytest.raises(Exception, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text("TRUNCATE audit_record"))

    seq, record_id = rows[40]
    _dba(pg_app, f"UPDATE audit_record SET actor_id = NULL WHERE id = {record_id}")
    code, output = _verify(pg_app)
    assert code == 1 and f"seq={seq} id={record_id}" in output

    _dba(pg_app, f"DELETE FROM audit_record WHERE seq < {seq}", f"DELETE FROM audit_record WHERE seq = {seq + 5}")
    code, output = _verify(pg_app)
    assert code == 1 and "missing record) seq 1" in output


def test_chain_append_does_not_deadlock_with_a_campaign_row_lock(pg_app):
    # T1 holds a campaign row FOR UPDATE (as the last-inspection check does) and appends later; T2 appends a
    # record referencing that campaign meanwhile. T2 must wait for T1 before it takes the chain lock.
    from models import Campaign
    from tests.concurrency.helpers import open_campaign
    with pg_app.app_context():
        campaign_id = open_campaign(3, confirm=False)
    locked, t2_started, results = threading.Event(), threading.Event(), {}

    def t1():
        with pg_app.app_context():
            try:
                db.session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())
                locked.set()
                t2_started.wait(10)
                import time
                time.sleep(0.8)  # T2 is now blocked on the campaign row
                audit.record(None, "test.t1", "campaign", campaign_id, campaign_id=campaign_id)
                db.session.commit()
                results["t1"] = "ok"
            except Exception as exc:  # noqa: BLE001
                results["t1"] = exc

    def t2():
        locked.wait(10)
        with pg_app.app_context():
            try:
                t2_started.set()
                audit.record(None, "test.t2", "campaign", campaign_id, campaign_id=campaign_id)
                db.session.commit()
                results["t2"] = "ok"
            except Exception as exc:  # noqa: BLE001
                results["t2"] = exc

    threads = [threading.Thread(target=t1), threading.Thread(target=t2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == {"t1": "ok", "t2": "ok"}
    assert _verify(pg_app)[0] == 0
