"""audit hash chain: sequence, prev_hash and hash on audit_record, the chain head, append-only triggers

Existing records are chained in id order, so an upgraded database verifies.

Revision ID: b8pr0duct10n
Revises: 0c0mb1ne0001
Create Date: 2026-11-25 14:49:17.507611

"""
from alembic import op
import sqlalchemy as sa

from domain.audit_chain import FIELDS, record_hash
from models.audit import GENESIS_HASH, POSTGRES_APPEND_ONLY, SQLITE_APPEND_ONLY

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
