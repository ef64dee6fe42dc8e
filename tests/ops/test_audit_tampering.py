"""`flask --app app audit verify --checkpoints FILE` against each tampering a database administrator could do.

Each tampering is done with the append-only triggers switched off, after the checkpoint list was
downloaded from the public page; the keyed chain and the published checkpoints must catch it.
"""
from sqlalchemy import select

from domain import audit_chain
from extensions import db
from models import AuditRecord
from tests.ops.audit_helpers import _dba, _published_chain, _rewrite_chain, _seq_ids, _verify, _verify_against, _write

FORGER_KEY = "forger-key-" + "f" * 32


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
    _dba(app, "UPDATE audit_record SET action = 'forged' WHERE seq = 2")
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
