"""Audit checkpoints: published at draw commitments, publications and daily by the worker; the public page and its
JSON download; reading a checkpoint list back from a file or a URL."""
import json
import threading
from datetime import timedelta
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler

import pytest
from sqlalchemy import select

from extensions import db
from models import AuditChainHead, AuditCheckpoint, AuditRecord, Timer
from services import audit, audit_checkpoints
from services.workflow import clock, timers
from tests.ops.audit_helpers import _checkpoint, _published_chain, _verify_against, _write


def test_a_draw_commitment_publishes_a_checkpoint_after_its_record(app):
    from tests.concurrency.helpers import open_campaign
    with app.app_context():
        campaign_id = open_campaign(3)
        commit = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "draw.commit",
                                                              AuditRecord.campaign_id == campaign_id)).one()
        checkpoint = db.session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.reason == "draw_commitment")
                                        ).one()
        assert checkpoint.seq >= commit.seq
        at_seq = db.session.scalars(select(AuditRecord).where(AuditRecord.seq == checkpoint.seq)).one()
        assert at_seq.hash == checkpoint.hash and at_seq.campaign_id == campaign_id


def test_a_publication_publishes_a_checkpoint(app):
    from demo.simulate import simulate
    with app.app_context():
        simulate(3, say=lambda _: None, until="公示")
        approve = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "publication.approve")).one()
        checkpoint = db.session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.reason == "publication")).one()
        at_seq = db.session.scalars(select(AuditRecord).where(AuditRecord.seq == checkpoint.seq)).one()
        assert checkpoint.seq >= approve.seq and at_seq.hash == checkpoint.hash


def test_a_rolled_back_use_case_publishes_no_checkpoint(app):
    with app.app_context():
        audit.record(None, "test.event", "user", 1)
        audit.request_checkpoint("publication")
        db.session.rollback()
        db.session.commit()
        assert db.session.scalars(select(AuditCheckpoint)).all() == []
        with pytest.raises(ValueError, match="unknown checkpoint reason"):
            audit.request_checkpoint("whenever")


def test_the_worker_publishes_a_checkpoint_every_day(app):
    with app.app_context():
        assert audit_checkpoints.ensure_scheduled() is True
        assert audit_checkpoints.ensure_scheduled() is False  # one pending timer is enough
        close_of_today = clock.end_of_day(clock.today())  # 23:59:59 Beijing time
        timers.run_until(close_of_today - timedelta(seconds=1))
        assert db.session.scalars(select(AuditCheckpoint)).all() == []  # not before the day closes
        timers.run_until(close_of_today + timedelta(days=3))
        daily = db.session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.reason == "daily")
                                   .order_by(AuditCheckpoint.at)).all()
        # Published when due (the app clock keeps running while the test does, hence "not before, and soon").
        expected = [close_of_today + timedelta(days=d) for d in range(4)]
        assert len(daily) == 4
        assert all(timedelta(0) <= c.at - due < timedelta(minutes=1) for c, due in zip(daily, expected))
        head = db.session.get(AuditChainHead, 1)
        assert (daily[-1].seq, daily[-1].hash) == (head.seq, head.hash)
        pending = db.session.scalars(select(Timer).where(Timer.kind == audit_checkpoints.TIMER_KIND,
                                                         Timer.status == "pending")).all()
        assert len(pending) == 1


def test_public_page_lists_checkpoints_in_the_ui_language(app):
    _write(app, 1)
    _checkpoint(app)
    client = app.test_client()
    with app.app_context():
        head = db.session.get(AuditChainHead, 1)
    html = client.get("/audit/checkpoints").get_data(as_text=True)
    assert "审计日志检查点" in html and head.hash in html and "手动" in html and "下载检查点列表（JSON）" in html
    client.set_cookie("lang", "en")
    english = client.get("/audit/checkpoints").get_data(as_text=True)
    assert "Audit log checkpoints" in english and "Manual" in english and "审计日志检查点" not in english
    data = json.loads(client.get("/audit/checkpoints.json").data)
    assert data["format"] == "yiye-audit-checkpoints/1"
    assert data["checkpoints"][-1] == {"seq": head.seq, "hash": head.hash, "reason": "manual",
                                       "at": data["checkpoints"][-1]["at"]}
    assert data["checkpoints"][-1]["at"].endswith("Z")


def test_public_page_without_checkpoints(app):
    html = app.test_client().get("/audit/checkpoints").get_data(as_text=True)
    assert "暂无检查点" in html


def test_verify_reads_checkpoints_from_a_url(app, tmp_path):
    source = _published_chain(app, tmp_path)
    server = HTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/checkpoints.json"
        code, output = _verify_against(app, url)
        assert code == 0 and "published checkpoints matched" in output, output
        code, output = _verify_against(app, url + ".missing")
        assert code == 2 and "cannot read" in output
    finally:
        server.shutdown()
        server.server_close()
    assert source


@pytest.mark.parametrize("content,message", [
    (b"not json", "not a checkpoint list"),
    (b'{"format": "other", "checkpoints": []}', "format is not"),
    (b'{"format": "yiye-audit-checkpoints/1", "checkpoints": [{"seq": 1}]}', "not a checkpoint list"),
    (b'{"format": "yiye-audit-checkpoints/1", "checkpoints": [{"seq": 1, "hash": "XYZ"}]}', "not a SHA-256"),
    (b'{"format": "yiye-audit-checkpoints/1", "checkpoints": [{"seq": "x", "hash": "' + b"a" * 64 + b'"}]}',
     "not a checkpoint list"),
])
def test_a_bad_checkpoint_file_is_a_clear_error(app, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    code, output = _verify_against(app, str(path))
    assert code == 2 and message in output
    code, output = _verify_against(app, str(tmp_path / "absent.json"))
    assert code == 2 and "cannot read" in output


def test_worker_start_schedules_the_daily_checkpoint(app):
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--idle", "0"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        pending = db.session.scalars(select(Timer).where(Timer.kind == audit_checkpoints.TIMER_KIND,
                                                         Timer.status == "pending")).all()
        assert [t.due_at for t in pending] == [clock.end_of_day(clock.today())]


def test_two_pending_checkpoint_timers_collapse_into_one_series(app):
    # Two workers starting at the same moment can each schedule one; only one series goes on.
    with app.app_context():
        due = clock.end_of_day(clock.today())
        timers.schedule(audit_checkpoints.TIMER_KIND, due)
        timers.schedule(audit_checkpoints.TIMER_KIND, due)
        db.session.commit()
        timers.run_until(due + timedelta(days=2, minutes=1))
        pending = db.session.scalars(select(Timer).where(Timer.kind == audit_checkpoints.TIMER_KIND,
                                                         Timer.status == "pending")).all()
        assert len(pending) == 1
        fired = db.session.scalars(select(Timer).where(Timer.kind == audit_checkpoints.TIMER_KIND,
                                                       Timer.status == "fired")).all()
        assert len(fired) == 4  # the two at the first close, then one a day
