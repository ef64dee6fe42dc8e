"""keyed audit chain: scheme and key id on audit_record, key id on the chain head, published checkpoints

Every existing record keeps its row, its hash and its meaning: it is marked sha256-v1 (the scheme it
was made under) and verifies under it for ever. New records are hmac-sha256-v2 (services/audit.py);
the first of them is an `audit.key_rotated` record, written by the application (the key lives in the
environment, which a migration does not read).

ADD COLUMN only, no batch copy: on SQLite a table copy would drop the append-only triggers, and
neither database fires UPDATE triggers for a new column's default.

Revision ID: auditlog0001
Revises: avail0000001
Create Date: 2026-12-03 10:05:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'auditlog0001'
down_revision = 'avail0000001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('audit_record', sa.Column('scheme', sa.String(length=20), nullable=False,
                                            server_default='sha256-v1'))
    op.add_column('audit_record', sa.Column('key_id', sa.String(length=16), nullable=True))
    op.add_column('audit_chain_head', sa.Column('key_id', sa.String(length=16), nullable=True))
    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint'))
    )
    with op.batch_alter_table('audit_checkpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoint_seq'), ['seq'], unique=False)


def downgrade():
    # Only possible while no keyed record exists: a keyed record without its scheme would no longer verify.
    bind = op.get_bind()
    keyed = bind.execute(sa.text("SELECT count(*) FROM audit_record WHERE scheme <> 'sha256-v1'")).scalar()
    if keyed:
        raise RuntimeError(f"{keyed} audit records use the keyed scheme: downgrading would make them unverifiable")
    with op.batch_alter_table('audit_checkpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoint_seq'))
    op.drop_table('audit_checkpoint')
    op.drop_column('audit_chain_head', 'key_id')
    # SQLite >= 3.35 drops a column in place (no table copy, so the append-only triggers stay).
    op.drop_column('audit_record', 'key_id')
    op.drop_column('audit_record', 'scheme')
