"""campaign.pending_inspections: a per-campaign count of inspections not yet submitted; the draw's scope
index covers its candidate query (uscc added, id included on PostgreSQL)

Revision ID: floor0000001
Revises: portal3000005

One new column, backfilled from the existing inspections; one index rebuilt wider. No row is lost or changed.
"""
import sqlalchemy as sa
from alembic import op

revision = "floor0000001"
down_revision = "council0000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("pending_inspections", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE campaign SET pending_inspections = (SELECT count(*) FROM inspection"
               " WHERE inspection.campaign_id = campaign.id AND inspection.status != 'submitted')")
    op.drop_index("ix_enterprise_scope", table_name="enterprise")
    op.create_index("ix_enterprise_scope", "enterprise", ["industry_id", "region_id", "status", "credit_class", "uscc"],
                    postgresql_include=["id"])


def downgrade():
    op.drop_index("ix_enterprise_scope", table_name="enterprise")
    op.create_index("ix_enterprise_scope", "enterprise", ["industry_id", "region_id", "status", "credit_class"])
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("pending_inspections")
