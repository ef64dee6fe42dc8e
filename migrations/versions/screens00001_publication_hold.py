"""publication per enterprise: a result held back or returned for correction, with the lead's reason

Revision ID: screens00001
Revises: auditlog0001

Three nullable columns on inspection; every existing row keeps its values (NULL: not held, as before).
"""
import sqlalchemy as sa
from alembic import op

revision = 'screens00001'
down_revision = 'auditlog0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inspection") as batch:
        batch.add_column(sa.Column("publication_hold", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("publication_hold_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("publication_hold_revision", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("inspection") as batch:
        batch.drop_column("publication_hold_revision")
        batch.drop_column("publication_hold_reason")
        batch.drop_column("publication_hold")
