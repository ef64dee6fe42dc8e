"""sessions and tokens that end: a per-user session version, token created/last used/revoked

Revision ID: harden000001
Revises: docs00000001

Every existing user starts at session version 1 (the server default), so nobody is logged out by the upgrade
itself; cookies written before it carry no version and are refused once, which ends sessions that never ended.
Existing tokens keep working until they expire; their creation time is unknown and stays NULL.
"""
from alembic import op
import sqlalchemy as sa

revision = 'harden000001'
down_revision = 'docs00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('api_token') as batch:
        batch.add_column(sa.Column('created_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('last_used_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('api_token') as batch:
        batch.drop_column('revoked_at')
        batch.drop_column('last_used_at')
        batch.drop_column('created_at')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('session_version')
