"""Helpers for the audit tests: write records, tamper as a database administrator would, publish and
download checkpoints, run `flask audit verify`."""
from sqlalchemy import select, text

from domain import audit_chain
from extensions import db
from models import AuditRecord, User
from services import audit


def _write(app, count: int, actor: str = "scjg_01") -> None:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == actor)).one()
        for i in range(count):
            audit.record(user, "test.event", "user", user.id, note=f"第{i}次", values=(1, 2))
            db.session.commit()


def _verify(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def _seq_ids(app) -> list[tuple[int, int]]:
    with app.app_context():
        return db.session.execute(select(AuditRecord.seq, AuditRecord.id).order_by(AuditRecord.seq)).all()


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


def _write_system(app, count: int) -> None:
    with app.app_context():
        for i in range(count):
            audit.record(None, "test.event", "user", i)
            db.session.commit()
