"""Keyed audit chain and public checkpoints, end to end on the real database.

Each tampering below is done as a database administrator would (append-only triggers switched off),
and then `flask --app app audit verify --checkpoints FILE` is run against the list as downloaded
from the public page before the tampering.
"""
import json
import threading
from datetime import datetime, timedelta
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler

import pytest
from sqlalchemy import select, text

from config import ProductionConfig
from app import create_app
from domain import audit_chain
from extensions import db
from models import AuditChainHead, AuditCheckpoint, AuditRecord, Timer, User
from services import audit, audit_checkpoints
from services.workflow import clock, timers
from tests.conftest import _config_for
from tests.ops.test_audit_chain import _seq_ids, _verify, _write

FORGER_KEY = "forger-key-" + "f" * 32


def _dba(app, *statements: str) -> None:
    """Change rows as a DBA would: switch the append-only triggers off, edit, switch them back on."""
    with app.app_context(), db.engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.execute(text("ALTER TABLE audit_record DISABLE TRIGGER audit_record_append_only"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_record_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_record_no_delete"))
        for statement in statements:
            conn.execute(text(statement))
        if postgres:
            conn.execute(text("ALTER TABLE audit_record ENABLE TRIGGER audit_record_append_only"))


def _checkpoint(app) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "checkpoint published" in result.output, result.output


def _download(app, tmp_path) -> str:
    """The checkpoint list as anyone downloads it from the public page."""
    response = app.test_client().get("/audit/checkpoints.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    path = tmp_path / "checkpoints.json"
    path.write_bytes(response.data)
    return str(path)


def _verify_against(app, source: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoints", source])
    return result.exit_code, result.output


def _published_chain(app, tmp_path, records: int = 6) -> str:
    """Records, a checkpoint after the first half and one at the end; returns the downloaded list."""
    _write(app, records // 2)
    _checkpoint(app)
    _write(app, records - records // 2)
    _checkpoint(app)
    source = _download(app, tmp_path)
    code, output = _verify_against(app, source)
    assert code == 0 and "published checkpoints matched" in output, output
    return source


def _rewrite_chain(app, key: str | None, *, from_seq: int = 1, keep_key_id: bool = True) -> None:
    """Recompute every hash from `from_seq` on and the head, as a DBA who edited a record would:
    with SHA-256 (no key: sha256-v1) or with a key of their own."""
    with app.app_context():
        rows = [dict(r._mapping) for r in db.session.execute(select(AuditRecord).order_by(AuditRecord.seq))]
    statements, prev = [], audit_chain.GENESIS_HASH
    for row in (r["AuditRecord"] for r in rows):
        fields = {name: getattr(row, name) for name in audit_chain.KEYED_FIELDS}
        if row.seq >= from_seq:
            fields["prev_hash"] = prev
            if key is None:
                fields.update(scheme=audit_chain.LEGACY, key_id=None)
                digest = audit_chain.record_hash(fields)
            else:
                if not keep_key_id:
                    fields["key_id"] = audit_chain.key_id(key.encode())
                fields["scheme"] = audit_chain.KEYED
                digest = audit_chain.keyed_hash(fields, key.encode())
            key_id = "NULL" if fields["key_id"] is None else f"'{fields['key_id']}'"
            statements.append(f"UPDATE audit_record SET prev_hash = '{prev}', hash = '{digest}', "
                              f"scheme = '{fields['scheme']}', key_id = {key_id} WHERE id = {row.id}")
            prev = digest
        else:
            prev = row.hash
    statements.append(f"UPDATE audit_chain_head SET seq = {rows[-1]['AuditRecord'].seq}, hash = '{prev}'")
    _dba(app, *statements)


def test_edited_row_is_caught_given_the_checkpoints(app, tmp_path):
    source = _published_chain(app, tmp_path)
    seq, record_id = _seq_ids(app)[-3]
    _dba(app, f"UPDATE audit_record SET action = 'forged' WHERE id = {record_id}")
    code, output = _verify_against(app, source)
    assert code == 1 and f"seq={seq} id={record_id}" in output and "hash mismatch" in output


def test_edited_timestamp_is_caught(app, tmp_path):
    source = _published_chain(app, tmp_path)
    seq, record_id = _seq_ids(app)[-2]
    _dba(app, f"UPDATE audit_record SET at = '2020-01-01 00:00:00.000000' WHERE id = {record_id}")
    code, output = _verify_against(app, source)
    assert code == 1 and f"seq={seq} id={record_id}" in output and "hash mismatch" in output


def test_deleted_middle_row_is_caught(app, tmp_path):
    source = _published_chain(app, tmp_path)
    seq, record_id = _seq_ids(app)[-4]
    _dba(app, f"DELETE FROM audit_record WHERE id = {record_id}")
    code, output = _verify_against(app, source)
    assert code == 1 and f"missing record) seq {seq}" in output


def test_deleted_last_row_is_caught(app, tmp_path):
    source = _published_chain(app, tmp_path)
    seq, record_id = _seq_ids(app)[-1]
    _dba(app, f"DELETE FROM audit_record WHERE id = {record_id}")
    assert "chain head expects" in _verify(app)[1]
    code, output = _verify_against(app, source)
    assert code == 1 and f"checkpoint published at seq {seq}" in output


def test_tail_truncated_and_head_rewritten_is_caught_only_by_the_checkpoints(app, tmp_path):
    source = _published_chain(app, tmp_path)
    rows = _seq_ids(app)
    keep_seq = rows[-3][0]
    with app.app_context():
        keep_hash = db.session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == keep_seq))
    _dba(app, f"DELETE FROM audit_record WHERE seq > {keep_seq}",
         f"UPDATE audit_chain_head SET seq = {keep_seq}, hash = '{keep_hash}'")
    assert _verify(app)[0] == 0  # without the published list the database looks intact
    code, output = _verify_against(app, source)
    assert code == 1 and f"chain ends at seq {keep_seq}, checkpoint published at seq {rows[-1][0]}" in output


def test_full_recompute_with_sha256_is_caught_only_by_the_checkpoints(app, tmp_path):
    source = _published_chain(app, tmp_path)
    _dba(app, f"UPDATE audit_record SET action = 'forged' WHERE seq = 2")
    _rewrite_chain(app, None)
    assert _verify(app)[0] == 0  # every record re-hashed as sha256-v1: the database alone cannot tell
    code, output = _verify_against(app, source)
    assert code == 1 and "differs from published checkpoint" in output


def test_tail_recompute_with_sha256_after_keyed_records_is_a_downgrade(app, tmp_path):
    _write(app, 4)
    last = _seq_ids(app)[-1][0]
    _rewrite_chain(app, None, from_seq=last - 1)
    code, output = _verify(app)
    assert code == 1 and "scheme downgraded" in output and f"seq={last - 1}" in output


def test_full_recompute_with_a_wrong_key_is_caught(app, tmp_path):
    source = _published_chain(app, tmp_path)
    first_keyed = _first_keyed_seq(app)
    _rewrite_chain(app, FORGER_KEY, from_seq=first_keyed)  # claims the real key's id
    code, output = _verify_against(app, source)
    assert code == 1 and f"seq={first_keyed}" in output and "hash mismatch" in output
    _rewrite_chain(app, FORGER_KEY, from_seq=first_keyed, keep_key_id=False)  # under its own key id
    code, output = _verify_against(app, source)
    assert code == 1 and "no key" in output


def _first_keyed_seq(app) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditRecord.seq).where(AuditRecord.scheme == audit_chain.KEYED)
                                 .order_by(AuditRecord.seq).limit(1))


def test_new_records_are_keyed_under_the_environment_key(app):
    _write(app, 2)
    with app.app_context():
        key = app.config["AUDIT_HMAC_KEY"].encode()
        last = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).one()
        head = db.session.get(AuditChainHead, 1)
        assert (last.scheme, last.key_id, head.key_id) == (audit_chain.KEYED, audit_chain.key_id(key),
                                                           audit_chain.key_id(key))
        fields = {name: getattr(last, name) for name in audit_chain.KEYED_FIELDS}
        assert last.hash == audit_chain.keyed_hash(fields, key)


def test_key_rotation_is_recorded_in_the_chain_and_old_records_still_verify(app):
    _write(app, 2)
    old = app.config["AUDIT_HMAC_KEY"]
    new = "rotated-key-" + "r" * 40
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    rotated = create_app(type("Rotated", (_config_for(url),), {"AUDIT_HMAC_KEY": new,
                                                                "AUDIT_HMAC_PREVIOUS_KEYS": [old]}))
    _write(rotated, 2)
    with rotated.app_context():
        rows = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(3)).all()[::-1]
        rotation, first, second = rows
        assert rotation.action == audit.KEY_ROTATED and rotation.actor_id is None
        assert rotation.detail == {"from_key_id": audit_chain.key_id(old.encode()),
                                   "to_key_id": audit_chain.key_id(new.encode())}
        assert {r.key_id for r in rows} == {audit_chain.key_id(new.encode())}
        assert first.action == second.action == "test.event"
    code, output = _verify(rotated)
    assert code == 0, output
    forgot_old = create_app(type("ForgotOld", (_config_for(url),), {"AUDIT_HMAC_KEY": new}))
    code, output = _verify(forgot_old)
    assert code == 1 and f"no key {audit_chain.key_id(old.encode())}" in output
    with forgot_old.app_context():
        db.engine.dispose()
    with rotated.app_context():
        db.engine.dispose()


def test_upgrade_keeps_records_made_before_the_keyed_chain_verifiable(tmp_path):
    """A database at the revision before auditlog0001 with sha256-v1 records: upgrading keeps every row as it
    was, marks it sha256-v1, and the chain (old records, then the rotation record, then keyed ones) verifies."""
    from flask_migrate import upgrade
    app = create_app(_config_for(f"sqlite:///{tmp_path / 'old.db'}"))
    prev, rows = audit_chain.GENESIS_HASH, []
    with app.app_context():
        upgrade(revision="d9gaps000001")
        for seq in (1, 2, 3):
            fields = {"seq": seq, "at": datetime(2026, 11, 30, 8, seq, 0, 250000), "actor_id": None,
                      "action": "legacy.event", "object_type": "user", "object_id": seq, "campaign_id": None,
                      "detail": {"说明": f"升级前第{seq}条"}, "prev_hash": prev}
            prev = audit_chain.record_hash(fields)
            rows.append((seq, prev))
            db.session.execute(text(
                "INSERT INTO audit_record (seq, at, actor_id, action, object_type, object_id, campaign_id, detail, "
                "prev_hash, hash) VALUES (:seq, :at, NULL, :action, :object_type, :object_id, NULL, :detail, "
                ":prev_hash, :hash)"), {**fields, "detail": json.dumps(fields["detail"], ensure_ascii=False),
                                        "hash": prev})
        db.session.execute(text("UPDATE audit_chain_head SET seq = 3, hash = :hash"), {"hash": prev})
        db.session.commit()
        upgrade()
        kept = db.session.execute(text("SELECT seq, hash, scheme, key_id FROM audit_record ORDER BY seq")).all()
        assert [tuple(r) for r in kept] == [(seq, digest, "sha256-v1", None) for seq, digest in rows]
        with pytest.raises(Exception, match="append-only"):  # the triggers survived the upgrade
            db.session.execute(text("UPDATE audit_record SET action = 'x'"))
        db.session.rollback()
        db.engine.dispose()
    assert _verify(app)[0] == 0
    _write_system(app, 2)
    code, output = _verify(app)
    assert code == 0 and "6 records" in output, output  # 3 old + the rotation record + 2 new
    with app.app_context():
        rotation = db.session.scalars(select(AuditRecord).where(AuditRecord.seq == 4)).one()
        assert (rotation.action, rotation.scheme, rotation.prev_hash) == (audit.KEY_ROTATED, audit_chain.KEYED, prev)
        assert rotation.detail["from_key_id"] is None
        db.engine.dispose()


def _write_system(app, count: int) -> None:
    with app.app_context():
        for i in range(count):
            audit.record(None, "test.event", "user", i)
            db.session.commit()


def test_production_refuses_to_start_without_the_audit_key():
    base = {"SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db"}
    for key in (None, "", "short"):
        config = type("NoAuditKey", (ProductionConfig,), {**base, "AUDIT_HMAC_KEY": key})
        with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY"):
            create_app(config)


def test_development_key_is_made_once_under_instance(tmp_path):
    from config import instance_audit_key
    first = instance_audit_key(tmp_path / "instance")
    assert len(first) == 64 and instance_audit_key(tmp_path / "instance") == first
    assert (tmp_path / "instance" / "audit_hmac.key").stat().st_mode & 0o077 == 0
    assert [p.name for p in (tmp_path / "instance").iterdir()] == ["audit_hmac.key"]


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


def test_postgres_tampering_caught_given_the_checkpoints(pg_app, tmp_path):
    source = _published_chain(pg_app, tmp_path)
    rows = _seq_ids(pg_app)
    keep_seq = rows[-2][0]
    with pg_app.app_context():
        keep_hash = db.session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == keep_seq))
    _dba(pg_app, f"DELETE FROM audit_record WHERE seq > {keep_seq}",
         f"UPDATE audit_chain_head SET seq = {keep_seq}, hash = '{keep_hash}'")
    code, output = _verify_against(pg_app, source)
    assert code == 1 and "checkpoint published at seq" in output


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


def test_downgrade_refuses_while_keyed_records_exist_and_otherwise_keeps_the_old_rows(tmp_path):
    from flask_migrate import downgrade, upgrade
    app = create_app(_config_for(f"sqlite:///{tmp_path / 'down.db'}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    _write_system(app, 1)
    with app.app_context():
        with pytest.raises(SystemExit):  # Flask-Migrate logs the RuntimeError ("...keyed scheme...") and exits 1
            downgrade(revision="d9gaps000001")
        db.session.rollback()
        assert db.session.scalar(text("SELECT count(*) FROM audit_record WHERE scheme = 'hmac-sha256-v2'")) == 2
        db.engine.dispose()
    empty = create_app(_config_for(f"sqlite:///{tmp_path / 'empty.db'}"))
    with empty.app_context():
        upgrade()
        downgrade(revision="d9gaps000001")
        columns = [r[1] for r in db.session.execute(text("PRAGMA table_info(audit_record)"))]
        assert "scheme" not in columns and "key_id" not in columns and "hash" in columns
        triggers = db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                           "AND tbl_name = 'audit_record'")).all()
        assert sorted(triggers) == ["audit_record_no_delete", "audit_record_no_update"]
        db.engine.dispose()


def test_postgres_migrations_keep_the_triggers_and_chain_keyed_records():
    from flask_migrate import upgrade
    from tests import conftest, pgdb
    url = conftest.postgres_url()
    if url is None:
        pytest.skip("PostgreSQL tests not requested or server unreachable")
    try:
        app = create_app(_config_for(url))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        _write_system(app, 2)
        assert _verify(app)[0] == 0
        with app.app_context():
            with pytest.raises(Exception, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(text("UPDATE audit_record SET action = 'forged'"))
            schemes = db.session.scalars(select(AuditRecord.scheme)).all()
            assert schemes == [audit_chain.KEYED] * 3
            db.session.remove()
            db.engine.dispose()
    finally:
        pgdb.drop(url)
