"""The audit chain's key: from the environment (production refuses to start without it), rotation recorded in
the chain, records made before the keyed chain verifiable after the upgrade, the migration's downgrade."""
import json
from datetime import datetime

import pytest
from sqlalchemy import select, text

from app import create_app
from config import ProductionConfig
from domain import audit_chain
from extensions import db
from models import AuditChainHead, AuditRecord
from services import audit
from tests.conftest import _config_for
from tests.ops.audit_helpers import _verify, _write, _write_system


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
