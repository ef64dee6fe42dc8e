"""enterprise history: versions of name/address/status, and the import that wrote them

Revision ID: harden000002
Revises: harden000001

Two new tables only; no existing row is touched. Enterprises get versions from their first change on (the
service writes the old values as a baseline version then), so nothing needs backfilling here.
"""
from alembic import op
import sqlalchemy as sa

revision = 'harden000002'
down_revision = 'harden000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('directory_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_directory_import_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_import'))
    )
    op.create_table('enterprise_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_enterprise_version_changed_by_id_user_account')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_enterprise_version_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['import_id'], ['directory_import.id'], name=op.f('fk_enterprise_version_import_id_directory_import')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_version'))
    )
    op.create_index('ix_enterprise_version_enterprise_valid', 'enterprise_version', ['enterprise_id', 'valid_from'], unique=False)


def downgrade():
    op.drop_index('ix_enterprise_version_enterprise_valid', table_name='enterprise_version')
    op.drop_table('enterprise_version')
    op.drop_table('directory_import')
