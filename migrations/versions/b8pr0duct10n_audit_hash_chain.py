"""audit hash chain: sequence, prev_hash and hash on audit_record, the chain head, append-only triggers

Existing records are chained in id order, so an upgraded database verifies.

Revision ID: b8pr0duct10n
Revises: 0c0mb1ne0001
Create Date: 2026-11-25 14:49:17.507611

"""
import hashlib
import json
from datetime import datetime

from alembic import op
import sqlalchemy as sa

# Frozen copies of what this revision needs (was: imported from domain.audit_chain and models.audit),
# so that editing live code never changes what an old migration does. This is the sha256-v1 scheme.
FIELDS = ("seq", "at", "actor_id", "action", "object_type", "object_id", "campaign_id", "detail", "prev_hash")
GENESIS_HASH = "0" * 64


def record_hash(fields: dict) -> str:
    values = {name: fields[name] for name in FIELDS}
    at = values["at"]
    if isinstance(at, datetime):
        values["at"] = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


POSTGRES_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'audit_record is append-only (' || TG_OP || ' refused)',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record
FOR EACH ROW EXECUTE FUNCTION audit_record_append_only()""",
    """CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
FOR EACH STATEMENT EXECUTE FUNCTION audit_record_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_record
BEGIN SELECT RAISE(ABORT, 'audit_record is append-only (UPDATE refused)'); END""",
    """CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_record
BEGIN SELECT RAISE(ABORT, 'audit_record is append-only (DELETE refused)'); END""",
]

# revision identifiers, used by Alembic.
revision = 'b8pr0duct10n'
down_revision = '0c0mb1ne0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    seq, prev = _chain_existing()
    op.execute(sa.text("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, :seq, :hash)")
               .bindparams(seq=seq, hash=prev))

    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_record_seq'), ['seq'])

    # After the batch operations: on SQLite they copy the table, which would drop the triggers.
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_APPEND_ONLY if dialect == 'postgresql' else SQLITE_APPEND_ONLY if dialect == 'sqlite' else []:
        op.execute(statement)


def _chain_existing() -> tuple[int, str]:
    bind = op.get_bind()
    table = sa.table('audit_record', sa.column('id'), sa.column('at', sa.DateTime()), sa.column('actor_id'),
                     sa.column('action'), sa.column('object_type'), sa.column('object_id'), sa.column('campaign_id'),
                     sa.column('detail', sa.JSON()), sa.column('seq'), sa.column('prev_hash'), sa.column('hash'))
    seq, prev = 0, GENESIS_HASH
    for row in bind.execute(sa.select(table).order_by(table.c.id)).mappings().all():
        seq += 1
        fields = {**row, "seq": seq, "prev_hash": prev}
        digest = record_hash({name: fields[name] for name in FIELDS})
        bind.execute(table.update().where(table.c.id == row["id"]).values(seq=seq, prev_hash=prev, hash=digest))
        prev = digest
    return seq, prev


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_record_append_only ON audit_record")
        op.execute("DROP TRIGGER IF EXISTS audit_record_no_truncate ON audit_record")
        op.execute("DROP FUNCTION IF EXISTS audit_record_append_only()")
    elif dialect == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS audit_record_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_record_no_delete")
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_record_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')

    op.drop_table('audit_chain_head')
