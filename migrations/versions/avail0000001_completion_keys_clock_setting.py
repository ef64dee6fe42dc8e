"""completion keys (idempotent task completion) and the shared clock setting

Revision ID: avail0000001
Revises: org000000001

Two new tables, nothing existing is changed: completion_key holds the outcome of each task
completion sent with an Idempotency-Key (one per user and key), clock_setting the operator's
offset of "now" shared by every process (at most one row).
"""
from alembic import op
import sqlalchemy as sa

revision = 'avail0000001'
down_revision = 'org000000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'completion_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_completion_key_task_id_human_task')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_completion_key_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_completion_key')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_completion_key_user_id')),
    )
    with op.batch_alter_table('completion_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_completion_key_task_id'), ['task_id'], unique=False)
    op.create_table(
        'clock_setting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('offset_seconds', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('set_by', sa.String(length=100), nullable=True),
        sa.Column('set_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_setting')),
    )


def downgrade():
    op.drop_table('clock_setting')
    with op.batch_alter_table('completion_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_completion_key_task_id'))
    op.drop_table('completion_key')
