"""transfer.authority_kind: the kind of authority a transfer goes to (public security / other administrative /
judicial), chosen when the transfer is made instead of read from the authority's name

Revision ID: limits0000001
Revises: floor0000001

One new column. Existing rows are backfilled by the name rule the figures used until now (公安 / 派出所 /
police → public security), and 检察院 / 法院 → judicial; every other row is administrative. No row is lost.
"""
import sqlalchemy as sa
from alembic import op

revision = "limits0000001"
down_revision = "floor0000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("transfer") as batch:
        batch.add_column(sa.Column("authority_kind", sa.String(length=20), nullable=False,
                                   server_default="administrative"))
    op.execute("UPDATE transfer SET authority_kind = 'public_security' WHERE authority LIKE '%公安%'"
               " OR authority LIKE '%派出所%' OR lower(authority) LIKE '%police%'")
    op.execute("UPDATE transfer SET authority_kind = 'judicial' WHERE authority_kind = 'administrative'"
               " AND (authority LIKE '%检察院%' OR authority LIKE '%法院%')")


def downgrade():
    with op.batch_alter_table("transfer") as batch:
        batch.drop_column("authority_kind")
